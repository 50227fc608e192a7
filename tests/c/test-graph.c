/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a viewer reads of the autograd graph: the module scope every node
 * records (a nested C network with a Sequential, a shared module, a child
 * called from deeper in the tree and one made on the fly; lt-train's
 * network), the graph's names, shapes and leaf names.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"
#include "../../viewer/cli/lt-train-net.h"

#define PAIR(a, b) ((const gint64[]) { a, b })

static LtTensor *
randn (const gint64 *shape,
       gsize         n_dims)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_randn (shape, n_dims, LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  return t;
}

static LtTensor *
run (LtModule   *module,
     const char *child,
     LtTensor   *x)
{
  g_autoptr(GError) error = NULL;
  LtModule *m = child ? lt_module_get_child (module, child) : module;
  LtTensor *out;

  g_assert_nonnull (m);
  out = lt_module_forward (m, x, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* "Name@module" of every node of @graph, sorted: the same multiset
 * whatever order the walk gives. */
static char *
node_modules (LtGraph *graph)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      LtGradFn *fn = lt_graph_get_node (graph, i);
      const char *module = lt_grad_fn_get_module (fn);

      g_ptr_array_add (items, g_strdup_printf ("%s@%s", lt_grad_fn_get_name (fn),
                                               module ? module : "-"));
    }
  g_ptr_array_sort (items, compare_strings);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (char *) g_ptr_array_index (items, i));
  return g_strdup (s->str);
}

/* A nested C network:
 *
 *   features = Sequential(Conv2d(1, 2, 3), ReLU(), MaxPool2d(2))
 *   act      = features[1]        (the same ReLU, registered twice)
 *   block    = Sequential(Linear(8, 4), Linear(4, 3))
 *
 *   x = features(x)               features.0, features.1, features.2
 *   x = x.view(-1, 8)             the network's own: no module
 *   x = block[0](x)               called from here: block.0
 *   x = act(x)                    called from here: act
 *   x = ReLU()(x)                 made on the fly: the caller's (none)
 *   x = block[1](x)               block.1
 */

#define TEST_TYPE_NESTED (test_nested_get_type ())
G_DECLARE_FINAL_TYPE (TestNested, test_nested, TEST, NESTED, LtModule)

struct _TestNested
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (TestNested, test_nested, LT_TYPE_MODULE)

static LtTensor *
test_nested_forward (LtModule *self,
                     LtTensor *input,
                     GError  **error)
{
  g_autoptr(LtTensor) f = NULL, v = NULL, b0 = NULL, a = NULL, r = NULL;
  autofinal LtReLU *fly = lt_relu_new (FALSE);

  if (!(f = lt_module_forward (lt_module_get_child (self, "features"), input, error)) ||
      !(v = lt_tensor_view (f, PAIR (-1, 8), 2, error)) ||
      !(b0 = lt_module_forward (lt_module_get_child (self, "block.0"), v, error)) ||
      !(a = lt_module_forward (lt_module_get_child (self, "act"), b0, error)) ||
      !(r = lt_module_forward (LT_MODULE (fly), a, error)))
    return NULL;
  return lt_module_forward (lt_module_get_child (self, "block.1"), r, error);
}

static void
test_nested_class_init (TestNestedClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = test_nested_forward;
}

static void
test_nested_init (TestNested *self)
{
}

static LtModule *
test_nested_new (void)
{
  g_autoptr(GError) error = NULL;
  LtModule *net = g_object_new (TEST_TYPE_NESTED, NULL);
  g_autoptr(LtConv2d) conv = lt_conv2d_new (1, 2, PAIR (3, 3), NULL, NULL, NULL, 1, TRUE, &error);
  g_autoptr(LtReLU) relu = lt_relu_new (FALSE);
  g_autoptr(LtMaxPool2d) pool = lt_max_pool2d_new (DIMS (2), NULL, 0, NULL, 0, NULL, 0, FALSE,
                                                   &error);
  g_autoptr(LtLinear) l0 = lt_linear_new (8, 4, TRUE, &error);
  g_autoptr(LtLinear) l1 = lt_linear_new (4, 3, TRUE, &error);
  g_autoptr(LtSequential) features = NULL;
  g_autoptr(LtSequential) block = NULL;

  g_assert_no_error (error);
  features = lt_sequential_new ((LtModule *[]) { LT_MODULE (conv), LT_MODULE (relu),
                                                 LT_MODULE (pool) }, 3);
  block = lt_sequential_new ((LtModule *[]) { LT_MODULE (l0), LT_MODULE (l1) }, 2);
  g_assert_true (lt_module_register_module (net, "features", LT_MODULE (features), &error));
  g_assert_true (lt_module_register_module (net, "act", LT_MODULE (relu), &error));
  g_assert_true (lt_module_register_module (net, "block", LT_MODULE (block), &error));
  g_assert_no_error (error);
  return net;
}

static void
test_scope_nested (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtModule *net = NULL;
  g_autoptr(LtTensor) x = NULL, out = NULL, loss = NULL;
  autofinal LtGraph *graph = NULL;
  g_autofree char *got = NULL;

  g_test_summary ("Nodes record the dotted path of the module that made them: Sequential "
                  "children, a module registered twice records where it was called from, a "
                  "child called from deeper in the tree, one made on the fly");
  lt_manual_seed (1);
  net = test_nested_new ();
  x = randn (DIMS (2, 1, 6, 6));
  out = run (net, NULL, x);
  loss = lt_tensor_sum (out, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  got = node_modules (graph);
  /* Linear records TBackward0 (weight.t()) and AddmmBackward0; the
   * AccumulateGrad nodes record the scope that first used their leaf. */
  g_assert_cmpstr (got, ==,
                   "AccumulateGrad@block.0 AccumulateGrad@block.0 "
                   "AccumulateGrad@block.1 AccumulateGrad@block.1 "
                   "AccumulateGrad@features.0 AccumulateGrad@features.0 "
                   "AddmmBackward0@block.0 AddmmBackward0@block.1 "
                   "ConvolutionBackward0@features.0 "
                   "MaxPool2DWithIndicesBackward0@features.2 "
                   "ReluBackward0@- ReluBackward0@act ReluBackward0@features.1 "
                   "SumBackward0@- "
                   "TBackward0@block.0 TBackward0@block.1 "
                   "ViewBackward0@-");

  /* A child run on its own is a root: no path. */
  {
    g_autoptr(LtTensor) h = randn (DIMS (2, 4));
    g_autoptr(LtTensor) y = run (net, "block.1", h);
    autofinal LtGraph *g = lt_graph_new (y);
    LtGradFn *top = lt_graph_get_node (g, lt_graph_get_n_nodes (g) - 1);

    g_assert_cmpstr (lt_grad_fn_get_name (top), ==, "AddmmBackward0");
    g_assert_null (lt_grad_fn_get_module (top));
  }

  /* Nothing is left on the scope stack, also after a failing forward. */
  {
    g_autoptr(LtTensor) bad = randn (DIMS (2, 5));
    g_autoptr(LtTensor) none = lt_module_forward (net, bad, &error);
    g_autoptr(LtTensor) w = randn (DIMS (2, 2));
    g_autoptr(LtTensor) t = NULL;

    g_assert_null (none);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
    t = lt_tensor_mul (w, w, &error);
    g_assert_no_error (error);
    g_assert_null (lt_grad_fn_get_module (lt_tensor_get_grad_fn (t)));
  }
}

/* Scopes are per thread: a forward on another thread does not leak its
 * path into this one's nodes. */
static gpointer
forward_thread (gpointer data)
{
  return run (data, NULL, g_object_get_data (data, "input"));
}

static void
test_scope_thread (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtModule *net = test_nested_new ();
  g_autoptr(LtTensor) x = randn (DIMS (2, 1, 6, 6));
  g_autoptr(LtTensor) y = NULL, w = NULL, z = NULL;
  GThread *thread;

  g_object_set_data (G_OBJECT (net), "input", x);
  thread = g_thread_new ("forward", forward_thread, net);
  y = g_thread_join (thread);
  g_assert_cmpstr (lt_grad_fn_get_module (lt_tensor_get_grad_fn (y)), ==, "block.1");
  w = randn (DIMS (3));
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  z = lt_tensor_exp (w, &error);
  g_assert_no_error (error);
  g_assert_null (lt_grad_fn_get_module (lt_tensor_get_grad_fn (z)));
}

/* lt-train's network and the tutorial's criterion. */
static void
test_scope_lt_train (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTrainNet         *net = NULL;
  autofinal LtCrossEntropyLoss *criterion = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, loss = NULL;
  autofinal LtGraph *graph = NULL;
  g_autofree char *got = NULL;

  lt_manual_seed (2);
  net = lt_train_net_new (3, &error);
  g_assert_no_error (error);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  x = randn (DIMS (2, 3, 32, 32));
  y = lt_tensor_new_from_int64s ((const gint64[]) { 3, 7 }, 2, DIMS (2), LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
  out = run (LT_MODULE (net), NULL, x);
  loss = lt_loss_compute (LT_LOSS (criterion), out, y, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  got = node_modules (graph);
  g_assert_cmpstr (got, ==,
                   "AccumulateGrad@conv1 AccumulateGrad@conv1 "
                   "AccumulateGrad@conv2 AccumulateGrad@conv2 "
                   "AccumulateGrad@fc1 AccumulateGrad@fc1 "
                   "AccumulateGrad@fc2 AccumulateGrad@fc2 "
                   "AccumulateGrad@fc3 AccumulateGrad@fc3 "
                   "AddmmBackward0@fc1 AddmmBackward0@fc2 AddmmBackward0@fc3 "
                   "ConvolutionBackward0@conv1 ConvolutionBackward0@conv2 "
                   "LogSoftmaxBackward0@- "
                   "MaxPool2DWithIndicesBackward0@pool MaxPool2DWithIndicesBackward0@pool "
                   "NllLossBackward0@- "
                   "ReluBackward0@- ReluBackward0@- ReluBackward0@- ReluBackward0@- "
                   "TBackward0@fc1 TBackward0@fc2 TBackward0@fc3 "
                   "ViewBackward0@-");
}

/* Shapes */

static void
assert_same_shape (const gint64 *got,
                   guint         got_dims,
                   LtTensor     *t)
{
  guint nd;
  const gint64 *want = lt_tensor_get_shape (t, &nd);

  g_assert_cmpuint (got_dims, ==, nd);
  for (guint i = 0; i < nd; i++)
    g_assert_cmpint (got[i], ==, want[i]);
}

static gint
node_of (LtGraph  *graph,
         LtTensor *t)
{
  gint i = lt_graph_find_node (graph, lt_tensor_get_grad_fn (t));

  g_assert_cmpint (i, >=, 0);
  return i;
}

/* The edge from @from's node to @to's node. */
static guint
edge_between (LtGraph *graph,
              gint     from,
              gint     to)
{
  for (guint e = 0; e < lt_graph_get_n_edges (graph); e++)
    {
      guint f, t;

      g_assert_true (lt_graph_get_edge (graph, e, &f, &t));
      if ((gint) f == from && (gint) t == to)
        return e;
    }
  g_assert_not_reached ();
  return 0;
}

static void
test_graph_shapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = randn (DIMS (2, 3));
  g_autoptr(LtTensor) w = randn (DIMS (3, 4));
  g_autoptr(LtTensor) b = randn (DIMS (4));
  g_autoptr(LtTensor) h = NULL, hb = NULL, r = NULL, v = NULL, sq = NULL, out = NULL;
  autofinal LtGraph *graph = NULL;
  guint n_edges = 0;

  g_test_summary ("Node names and shapes are the forward tensors'; edge shapes are the "
                  "tensors that flow along them, broadcast inputs included");
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (b, TRUE, &error));
  h = lt_tensor_mm (x, w, &error);                       /* (2, 4) */
  hb = lt_tensor_add (h, b, &error);                     /* (2, 4) + (4) */
  r = lt_tensor_relu (hb, &error);
  v = lt_tensor_view (r, DIMS (8), &error);              /* (8) */
  sq = lt_tensor_mul (v, v, &error);                     /* the same input twice */
  out = lt_tensor_sum (sq, &error);                      /* () */
  g_assert_no_error (error);
  graph = lt_graph_new (out);

  {
    LtTensor *made[] = { h, hb, r, v, sq, out };
    const char *names[] = { "MmBackward0", "AddBackward0", "ReluBackward0", "ViewBackward0",
                            "MulBackward0", "SumBackward0" };

    for (guint k = 0; k < G_N_ELEMENTS (made); k++)
      {
        gint i = node_of (graph, made[k]);
        guint nd = 99;
        const gint64 *shape = lt_graph_get_node_shape (graph, i, &nd);

        g_assert_cmpstr (lt_graph_get_node_name (graph, i), ==, names[k]);
        g_assert_cmpstr (lt_graph_get_node_name (graph, i), ==,
                         lt_grad_fn_get_name (lt_graph_get_node (graph, i)));
        assert_same_shape (shape, nd, made[k]);
        g_assert_null (lt_graph_get_node_module (graph, i));
      }
  }
  /* leaves: their node's shape is theirs */
  g_assert_cmpuint (lt_graph_get_n_leaves (graph), ==, 2);
  for (guint l = 0; l < 2; l++)
    {
      guint node, nd;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);
      const gint64 *shape = lt_graph_get_node_shape (graph, node, &nd);

      g_assert_true (leaf == w || leaf == b);
      g_assert_cmpstr (lt_graph_get_node_name (graph, node), ==, "AccumulateGrad");
      assert_same_shape (shape, nd, leaf);
      g_assert_null (lt_graph_get_leaf_name (graph, l));
    }

  /* edges */
  {
    struct { LtTensor *from; LtTensor *to; LtTensor *flows; } cases[] = {
      { h, hb, h }, { hb, r, hb }, { r, v, r }, { v, sq, v }, { sq, out, sq },
    };

    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      {
        guint e = edge_between (graph, node_of (graph, cases[k].from),
                                node_of (graph, cases[k].to)), nd;
        const gint64 *shape = lt_graph_get_edge_shape (graph, e, &nd);

        assert_same_shape (shape, nd, cases[k].flows);
      }
  }
  /* every edge carries its producer's output; v * v has two edges from
   * v's node; b's edge is (4), not the broadcast (2, 4) */
  for (guint e = 0; e < lt_graph_get_n_edges (graph); e++)
    {
      guint f, t, nd, fd;
      const gint64 *shape, *from_shape;

      lt_graph_get_edge (graph, e, &f, &t);
      shape = lt_graph_get_edge_shape (graph, e, &nd);
      from_shape = lt_graph_get_node_shape (graph, f, &fd);
      g_assert_cmpuint (nd, ==, fd);
      for (guint d = 0; d < nd; d++)
        g_assert_cmpint (shape[d], ==, from_shape[d]);
      if ((gint) f == node_of (graph, v) && (gint) t == node_of (graph, sq))
        n_edges++;
      if (lt_grad_fn_get_variable (lt_graph_get_node (graph, f)) == b)
        {
          g_assert_cmpuint (nd, ==, 1);
          g_assert_cmpint (shape[0], ==, 4);
        }
    }
  g_assert_cmpuint (n_edges, ==, 2);

  /* no gradient statistics before a backward */
  {
    LtGradStats stats;

    g_assert_false (lt_graph_get_node_grad_stats (graph, 0, &stats));
    g_assert_cmpint (stats.numel, ==, 0);
  }
}

/* Gradient statistics */

/* The statistics of a gradient, computed here from its values with long
 * double sums and Welford's update for the variance: an independent
 * reference for lt_graph_backward()'s. */
static LtGradStats
reference_stats (LtTensor *grad)
{
  g_autoptr(GError) error = NULL;
  gsize n = 0;
  g_autofree double *v = lt_tensor_to_doubles (grad, &n, &error);
  long double sq = 0, mean = 0, m2 = 0;
  LtGradStats st = { 0, 0, INFINITY, -INFINITY, 0, (gint64) n };

  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      long double delta = v[i] - mean;

      mean += delta / (long double) (i + 1);
      m2 += delta * (v[i] - mean);
      sq += (long double) v[i] * v[i];
      st.min = MIN (st.min, v[i]);
      st.max = MAX (st.max, v[i]);
    }
  st.mean = (double) mean;
  st.std = (double) sqrtl (m2 / (long double) n);
  st.norm = (double) sqrtl (sq);
  return st;
}

static void
assert_close (double got,
              double want,
              double scale)
{
  if (!(fabs (got - want) <= 1e-12 * MAX (scale, 1e-300)))
    g_error ("%.17g differs from %.17g (scale %g)", got, want, scale);
}

static void
assert_stats_of (LtGraph  *graph,
                 guint     node,
                 LtTensor *grad)
{
  LtGradStats got, want = reference_stats (grad);
  double scale = MAX (fabs (want.max), fabs (want.min));

  g_assert_true (lt_graph_get_node_grad_stats (graph, node, &got));
  g_assert_cmpint (got.numel, ==, want.numel);
  g_assert_cmpint (got.numel, ==, lt_tensor_numel (grad));
  assert_close (got.mean, want.mean, scale);
  assert_close (got.std, want.std, scale);
  g_assert_cmpfloat (got.min, ==, want.min);
  g_assert_cmpfloat (got.max, ==, want.max);
  assert_close (got.norm, want.norm, want.norm);
}

static LtTensor *
triple_grad (LtTensor *grad,
             gpointer  user_data,
             GError  **error)
{
  return lt_tensor_mul_scalar (grad, 3.0, NULL);
}

static LtTensor *
leaf64 (GRand        *rng,
        const gint64 *shape,
        gsize         n_dims)
{
  g_autoptr(GError) error = NULL;
  gint64 n = shape_numel (shape, n_dims);
  g_autofree double *v = random_values (rng, n, -1, 1);
  LtTensor *t = tensor_of (v, n, shape, n_dims, LT_DTYPE_FLOAT64);

  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
  g_assert_no_error (error);
  return t;
}

static void
retain (LtTensor *t)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_tensor_retain_grad (t, &error));
  g_assert_no_error (error);
}

static void
test_graph_stats (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autoptr(LtTensor) x = leaf64 (rng, DIMS (3, 5));
  g_autoptr(LtTensor) w = leaf64 (rng, DIMS (5, 4));
  g_autoptr(LtTensor) b = leaf64 (rng, DIMS (4));
  g_autoptr(LtTensor) h = NULL, hb = NULL, t = NULL, sq = NULL, out = NULL;
  autofinal LtGraph *graph = NULL;
  guint hook;

  g_test_summary ("lt_graph_backward records every node's gradient statistics: those of the "
                  "gradients themselves (retained, after hooks, summed over uses), in float64");
  h = lt_tensor_mm (x, w, &error);                       /* (3, 4) */
  hb = lt_tensor_add (h, b, &error);                     /* broadcast b */
  t = lt_tensor_tanh (hb, &error);
  sq = lt_tensor_mul (t, t, &error);                     /* t used twice */
  out = lt_tensor_mean (sq, &error);
  g_assert_no_error (error);
  retain (h);
  retain (hb);
  retain (t);
  retain (sq);
  retain (out);
  hook = lt_tensor_register_hook (hb, triple_grad, NULL, NULL, &error);
  g_assert_cmpuint (hook, >, 0);

  graph = lt_graph_new (out);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);

  {
    LtTensor *made[] = { h, hb, t, sq, out };

    for (guint k = 0; k < G_N_ELEMENTS (made); k++)
      assert_stats_of (graph, node_of (graph, made[k]), lt_tensor_get_grad (made[k]));
  }
  for (guint l = 0; l < lt_graph_get_n_leaves (graph); l++)
    {
      guint node;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);

      assert_stats_of (graph, node, lt_tensor_get_grad (leaf));
    }
  /* the hook ran before the statistics: hb's gradient is 3 times
   * d mean(tanh(hb)^2) / d hb = 2 t (1 - t^2) / 12 */
  {
    g_autoptr(LtTensor) t2 = lt_tensor_mul (t, t, &error);
    g_autoptr(LtTensor) one_minus = lt_tensor_rsub_scalar (t2, 1.0, &error);
    g_autoptr(LtTensor) prod = lt_tensor_mul (t, one_minus, &error);
    g_autoptr(LtTensor) want = lt_tensor_mul_scalar (prod, 3.0 * 2.0 / 12.0, &error);
    LtGradStats got, ref;

    g_assert_no_error (error);
    ref = reference_stats (want);
    lt_graph_get_node_grad_stats (graph, node_of (graph, hb), &got);
    g_assert_cmpfloat (fabs (got.norm - ref.norm), <=, 1e-12 * ref.norm);
    g_assert_cmpfloat (fabs (got.mean - ref.mean), <=, 1e-12 * ref.norm);
  }
  /* the output's own gradient is the implicit 1 */
  {
    LtGradStats so;

    lt_graph_get_node_grad_stats (graph, node_of (graph, out), &so);
    g_assert_cmpfloat (so.mean, ==, 1.0);
    g_assert_cmpfloat (so.std, ==, 0.0);
    g_assert_cmpint (so.numel, ==, 1);
  }
  /* every node, reached, holds no saved tensor any more */
  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      LtGradStats st;
      LtGradFn *fn = lt_graph_get_node (graph, i);

      g_assert_true (lt_graph_get_node_grad_stats (graph, i, &st));
      if (lt_grad_fn_get_variable (fn) == NULL)
        g_assert_true (lt_grad_fn_get_released (fn));
    }
  /* a second backward fails as lt_tensor_backward() does */
  g_assert_false (lt_graph_backward (graph, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

static void
test_graph_stats_retain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (8);
  g_autoptr(LtTensor) x = leaf64 (rng, DIMS (6));
  g_autoptr(LtTensor) e = NULL, out = NULL;
  autofinal LtGraph *graph = NULL;
  LtGradStats first, second;
  guint xnode = 0;

  e = lt_tensor_exp (x, &error);
  out = lt_tensor_sum (e, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (out);
  lt_graph_get_leaf (graph, 0, &xnode);
  g_assert_true (lt_graph_backward (graph, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (lt_grad_fn_get_released (lt_tensor_get_grad_fn (e)));
  g_assert_true (lt_graph_get_node_grad_stats (graph, xnode, &first));
  assert_stats_of (graph, xnode, e);                     /* d sum(exp x) / dx = exp x */
  /* again: the same statistics (of this backward's gradient), and x.grad
   * holds the sum of both */
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (lt_graph_get_node_grad_stats (graph, xnode, &second));
  g_assert_cmpfloat (first.norm, ==, second.norm);
  {
    g_autoptr(LtTensor) twice = lt_tensor_mul_scalar (e, 2.0, &error);
    LtGradStats acc = reference_stats (lt_tensor_get_grad (x));
    LtGradStats want = reference_stats (twice);

    assert_close (acc.norm, want.norm, want.norm);
  }

  /* an output with several elements: the error of lt_tensor_backward() */
  {
    autofinal LtGraph *wide = lt_graph_new (e);

    g_assert_false (lt_graph_backward (wide, FALSE, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
    g_clear_error (&error);
    g_assert_false (lt_graph_get_node_grad_stats (wide, 0, &first));
  }
}

/* Hooks that hand the observer gradients in other layouts: a transposed
 * copy (dense, not contiguous) and a broadcast row (stride 0). */
static LtTensor *
transposed_grad (LtTensor *grad,
                 gpointer  user_data,
                 GError  **error)
{
  g_autoptr(LtTensor) t = lt_tensor_t (grad, error);
  g_autoptr(LtTensor) dense = t ? lt_tensor_contiguous (t, error) : NULL;
  LtTensor *back = dense ? lt_tensor_t (dense, error) : NULL;

  g_assert_false (back == NULL || lt_tensor_is_contiguous (back));
  return back;
}

static LtTensor *
broadcast_grad (LtTensor *grad,
                gpointer  user_data,
                GError  **error)
{
  guint nd;
  const gint64 *shape = lt_tensor_get_shape (grad, &nd);
  g_autoptr(LtTensor) row = lt_tensor_narrow (grad, 0, 0, 1, error);
  LtTensor *wide = row ? lt_tensor_expand (row, shape, nd, error) : NULL;

  g_assert_false (wide == NULL || lt_tensor_is_contiguous (wide));
  return wide;
}

static void
test_graph_stats_layouts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (10);
  g_autoptr(LtTensor) a = leaf64 (rng, DIMS (3, 4));
  g_autoptr(LtTensor) b = leaf64 (rng, DIMS (4, 5));
  g_autoptr(LtTensor) c = leaf64 (rng, DIMS (3, 4));
  g_autoptr(LtTensor) ea = NULL, bt = NULL, ec = NULL, m = NULL, s = NULL, out = NULL;
  autofinal LtGraph *graph = NULL;
  guint ha, hc;

  g_test_summary ("Statistics of gradients that are transposed (read in memory order) or "
                  "broadcast (read through a copy) equal those of their values");
  ea = lt_tensor_exp (a, &error);                        /* (3, 4) */
  bt = lt_tensor_t (b, &error);                          /* (5, 4), a view */
  ec = lt_tensor_sin (c, &error);                        /* (3, 4) */
  m = lt_tensor_matmul (ea, b, &error);                  /* (3, 5) */
  s = lt_tensor_mul (ea, ec, &error);
  g_assert_no_error (error);
  {
    g_autoptr(LtTensor) sm = lt_tensor_sum (m, &error);
    g_autoptr(LtTensor) ss = lt_tensor_sum (s, &error);
    g_autoptr(LtTensor) sb = lt_tensor_sum (bt, &error);
    g_autoptr(LtTensor) s1 = lt_tensor_add (sm, ss, &error);

    out = lt_tensor_add (s1, sb, &error);
  }
  g_assert_no_error (error);
  retain (ea);
  retain (ec);
  retain (bt);
  ha = lt_tensor_register_hook (ea, transposed_grad, NULL, NULL, &error);
  hc = lt_tensor_register_hook (ec, broadcast_grad, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ha, >, 0);
  g_assert_cmpuint (hc, >, 0);
  graph = lt_graph_new (out);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);
  assert_stats_of (graph, node_of (graph, ea), lt_tensor_get_grad (ea));
  assert_stats_of (graph, node_of (graph, ec), lt_tensor_get_grad (ec));
  assert_stats_of (graph, node_of (graph, bt), lt_tensor_get_grad (bt));
  for (guint l = 0; l < lt_graph_get_n_leaves (graph); l++)
    {
      guint node;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);

      assert_stats_of (graph, node, lt_tensor_get_grad (leaf));
    }
}

/* lt-train's network: every node has statistics; the parameters' are
 * those of their .grad, the logits' those of their retained gradient. */
static void
test_graph_stats_net (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTrainNet         *net = NULL;
  autofinal LtCrossEntropyLoss *criterion = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, loss = NULL;
  autofinal LtGraph *graph = NULL;

  lt_manual_seed (4);
  net = lt_train_net_new (3, &error);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  x = randn (DIMS (4, 3, 32, 32));
  y = lt_tensor_new_from_int64s ((const gint64[]) { 0, 3, 9, 3 }, 4, DIMS (4), LT_DTYPE_INT64,
                                 &error);
  out = run (LT_MODULE (net), NULL, x);
  retain (out);
  loss = lt_loss_compute (LT_LOSS (criterion), out, y, &error);
  g_assert_no_error (error);
  lt_module_zero_grad (LT_MODULE (net), TRUE);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      LtGradStats st;

      g_assert_true (lt_graph_get_node_grad_stats (graph, i, &st));
      g_assert_true (isfinite (st.mean) && isfinite (st.norm));
    }
  for (guint l = 0; l < lt_graph_get_n_leaves (graph); l++)
    {
      guint node;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);

      g_assert_true (lt_module_get_parameter (LT_MODULE (net), lt_graph_get_leaf_name (graph, l))
                     == leaf);
      assert_stats_of (graph, node, lt_tensor_get_grad (leaf));
    }
  assert_stats_of (graph, node_of (graph, out), lt_tensor_get_grad (out));
}

/* After lt_graph_backward() the leaves forget the graph's AccumulateGrad
 * nodes: the next graph has nodes of its own, so a graph handed to another
 * thread shares nothing with later computation; dropping it there leaves
 * the leaf's current node alone. */
static gpointer
drop_graph (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

static void
test_graph_accumulators (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (9);
  g_autoptr(LtTensor) w = leaf64 (rng, DIMS (4));
  g_autoptr(LtTensor) a = lt_tensor_exp (w, &error);
  g_autoptr(LtTensor) la = lt_tensor_sum (a, &error);
  g_autoptr(LtTensor) b = NULL, c = NULL, lb = NULL;
  LtGraph *graph = lt_graph_new (la);
  LtGradFn *first, *second;
  guint node;

  g_assert_no_error (error);
  lt_graph_get_leaf (graph, 0, &node);
  first = lt_graph_get_node (graph, node);
  g_assert_true (lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (a), 0, NULL) == first);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));

  b = lt_tensor_sin (w, &error);
  second = lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (b), 0, NULL);
  g_assert_true (second != first);
  g_assert_true (lt_grad_fn_get_variable (second) == w);
  g_thread_join (g_thread_new ("drop", drop_graph, graph));
  /* the leaf still caches its new node */
  c = lt_tensor_cos (w, &error);
  g_assert_true (lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (c), 0, NULL) == second);
  lb = lt_tensor_sum (c, &error);
  g_assert_true (lt_tensor_backward (lb, NULL, FALSE, &error));
  g_assert_no_error (error);
}

/* Runs `dot -Tsvg` on @text: it must accept it. */
static void
assert_dot_valid (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dot = g_find_program_in_path ("dot");
  g_autofree char *dir = make_tmp_dir ("lt-graph-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "graph.dot", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;

  if (dot == NULL)
    g_error ("graphviz's dot is not installed (tools/install-deps.sh installs it); it checks "
             "lt_graph_to_dot()'s output");
  write_file (path, text, strlen (text));
  g_assert_true (g_spawn_sync (NULL, (char *[]) { dot, "-Tsvg", path, NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL) || (err && *err))
    g_error ("dot rejected the graph: %s\n%s", err, text);
  g_assert_nonnull (strstr (out, "<svg"));
  remove_tree (dir);
}

static guint
count (const char *text,
       const char *what)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, what)) != NULL; p += strlen (what))
    n++;
  return n;
}

static void
test_graph_named (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTrainNet         *net = NULL;
  autofinal LtCrossEntropyLoss *criterion = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, loss = NULL;
  autofinal LtGraph     *graph = NULL;
  autofinal LtStateDict *named = NULL;
  g_autofree char *dot = NULL;
  guint n_named = 0;

  g_test_summary ("lt_module_name_graph names the parameters and sets their nodes' module; "
                  "the DOT text has module clusters and edge shapes, and graphviz accepts it");
  lt_manual_seed (3);
  net = lt_train_net_new (3, &error);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  x = randn (DIMS (2, 3, 32, 32));
  y = lt_tensor_new_from_int64s ((const gint64[]) { 1, 9 }, 2, DIMS (2), LT_DTYPE_INT64, &error);
  out = run (LT_MODULE (net), NULL, x);
  loss = lt_loss_compute (LT_LOSS (criterion), out, y, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);

  named = lt_module_named_parameters (LT_MODULE (net));
  for (guint l = 0; l < lt_graph_get_n_leaves (graph); l++)
    {
      guint node;
      LtTensor *leaf = lt_graph_get_leaf (graph, l, &node);
      const char *name = lt_graph_get_leaf_name (graph, l);
      g_autofree char *owner = NULL;

      g_assert_nonnull (name);
      g_assert_true (lt_module_get_parameter (LT_MODULE (net), name) == leaf);
      owner = g_strndup (name, strrchr (name, '.') - name);
      g_assert_cmpstr (lt_graph_get_node_module (graph, node), ==, owner);
      n_named++;
    }
  g_assert_cmpuint (n_named, ==, lt_state_dict_get_n_tensors (named));

  /* node shapes along lt-train's network (batch 2) */
  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      const char *name = lt_graph_get_node_name (graph, i);
      const char *module = lt_graph_get_node_module (graph, i);
      guint nd;
      const gint64 *shape = lt_graph_get_node_shape (graph, i, &nd);

      if (g_strcmp0 (module, "conv1") == 0 && g_str_equal (name, "ConvolutionBackward0"))
        {
          g_assert_cmpuint (nd, ==, 4);
          g_assert_cmpint (shape[0], ==, 2);
          g_assert_cmpint (shape[1], ==, 6);
          g_assert_cmpint (shape[2], ==, 28);
          g_assert_cmpint (shape[3], ==, 28);
        }
      if (g_str_equal (name, "ViewBackward0"))
        {
          g_assert_cmpuint (nd, ==, 2);
          g_assert_cmpint (shape[0], ==, 2);
          g_assert_cmpint (shape[1], ==, 400);
        }
      if (g_strcmp0 (module, "fc3") == 0 && g_str_equal (name, "AddmmBackward0"))
        {
          g_assert_cmpuint (nd, ==, 2);
          g_assert_cmpint (shape[1], ==, 10);
        }
      if (g_str_equal (name, "NllLossBackward0"))
        g_assert_cmpuint (nd, ==, 0);
    }

  /* setting and removing a name */
  lt_graph_set_leaf_name (graph, 0, "renamed \"w\"");
  g_assert_cmpstr (lt_graph_get_leaf_name (graph, 0), ==, "renamed \"w\"");

  dot = lt_graph_to_dot (graph);
  g_assert_true (g_str_has_prefix (dot, "digraph {"));
  /* one cluster per module that made a node: conv1 pool conv2 fc1 fc2 fc3 */
  g_assert_cmpuint (count (dot, "subgraph cluster_"), ==, 6);
  g_assert_nonnull (strstr (dot, "label=\"conv1\""));
  g_assert_nonnull (strstr (dot, "label=\"pool\""));
  g_assert_nonnull (strstr (dot, "label=\"fc3\""));
  g_assert_nonnull (strstr (dot, "conv2.weight\\n(16, 6, 5, 5)"));
  g_assert_nonnull (strstr (dot, "renamed \\\"w\\\""));
  g_assert_nonnull (strstr (dot, "[label=\" (2, 6, 28, 28)\"]"));
  g_assert_nonnull (strstr (dot, "[label=\" (2, 400)\"]"));
  g_assert_cmpuint (count (dot, "->"), ==,
                    lt_graph_get_n_edges (graph) + lt_graph_get_n_leaves (graph) + 1);
  assert_dot_valid (dot);

  lt_graph_set_leaf_name (graph, 0, NULL);
  g_assert_null (lt_graph_get_leaf_name (graph, 0));
}

/* Nested clusters: "features" holds "features.0" .. "features.2". */
static void
test_graph_dot_nested (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtModule *net = test_nested_new ();
  g_autoptr(LtTensor) x = randn (DIMS (2, 1, 6, 6));
  g_autoptr(LtTensor) out = run (net, NULL, x);
  g_autoptr(LtTensor) loss = lt_tensor_sum (out, &error);
  autofinal LtGraph *graph = lt_graph_new (loss);
  g_autofree char *dot = NULL;
  const char *features, *inner;

  lt_module_name_graph (net, graph);
  dot = lt_graph_to_dot (graph);
  /* features, features.0, features.1, features.2, act, block, block.0, block.1 */
  g_assert_cmpuint (count (dot, "subgraph cluster_"), ==, 8);
  features = strstr (dot, "label=\"features\"");
  inner = strstr (dot, "label=\"features.0\"");
  g_assert_nonnull (features);
  g_assert_nonnull (inner);
  g_assert_true (inner > features);
  g_assert_nonnull (strstr (dot, "features.0.weight\\n(2, 1, 3, 3)"));
  assert_dot_valid (dot);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("What a viewer reads of the autograd graph: module scopes, names, shapes, "
                  "leaf names, gradient statistics, DOT");
  g_test_add_func ("/graph/scope/nested", test_scope_nested);
  g_test_add_func ("/graph/scope/thread", test_scope_thread);
  g_test_add_func ("/graph/scope/lt-train", test_scope_lt_train);
  g_test_add_func ("/graph/shapes", test_graph_shapes);
  g_test_add_func ("/graph/named", test_graph_named);
  g_test_add_func ("/graph/stats", test_graph_stats);
  g_test_add_func ("/graph/stats/retain", test_graph_stats_retain);
  g_test_add_func ("/graph/stats/layouts", test_graph_stats_layouts);
  g_test_add_func ("/graph/stats/lt-train", test_graph_stats_net);
  g_test_add_func ("/graph/accumulators", test_graph_accumulators);
  g_test_add_func ("/graph/dot/nested", test_graph_dot_nested);
  return g_test_run ();
}
