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
  g_autoptr(LtReLU) fly = lt_relu_new (FALSE);

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
  g_autoptr(LtModule) net = NULL;
  g_autoptr(LtTensor) x = NULL, out = NULL, loss = NULL;
  g_autoptr(LtGraph) graph = NULL;
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
    g_autoptr(LtGraph) g = lt_graph_new (y);
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
  g_autoptr(LtModule) net = test_nested_new ();
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
  g_autoptr(LtTrainNet) net = NULL;
  g_autoptr(LtCrossEntropyLoss) criterion = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, loss = NULL;
  g_autoptr(LtGraph) graph = NULL;
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
  return g_test_run ();
}
