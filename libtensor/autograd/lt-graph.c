/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-graph-private.h"
#include "lt-engine-private.h"
#include "lt-grad-fn-private.h"
#include "core/lt-shape-private.h"
#include "ops/lt-values.h"

/**
 * LtGraph:
 *
 * A snapshot of the autograd graph behind a tensor, for viewers: its nodes
 * in topological order (every node after the nodes that feed it, the
 * output's node last), the edges between them, and the leaf tensors that
 * `AccumulateGrad` nodes stand for, each with its shape and whether it is a
 * parameter. lt_graph_to_dot() draws it for Graphviz.
 *
 * For every node it tells the name PyTorch gives it
 * (lt_graph_get_node_name()), the module that made it
 * (lt_graph_get_node_module(): see lt_module_forward()) and the shape of
 * the tensor its forward produced (lt_graph_get_node_shape()); for every
 * edge the shape of the tensor that flows along it; for every leaf a name
 * (lt_graph_set_leaf_name(), or lt_module_name_graph() for a network's
 * parameters). lt_graph_backward() runs the backward pass from the
 * graph's output and records the statistics of every node's gradient
 * (lt_graph_get_node_grad_stats()).
 *
 * The graph holds references to the nodes and the output, so it stays valid
 * while the tensors that made it are freed. The nodes hold the tensors
 * their backward rules saved until a backward pass frees them.
 */

typedef struct
{
  const char *module;          /* interned, nullable */
  LtGradStats stats;
  gboolean has_stats;
} NodeInfo;

typedef struct
{
  guint from;                  /* producer */
  guint to;                    /* consumer */
  guint input;                 /* the consumer's input the edge feeds */
} Edge;

struct _LtGraph
{
  GObject parent_instance;

  /* Owned */
  LtTensor *output;
  GPtrArray *nodes;          /* LtGradFn, topological order */
  GArray *info;              /* NodeInfo, one per node */
  GArray *edges;             /* Edge, forward direction */
  GArray *leaves;            /* guint: the node position of each leaf */
  GPtrArray *leaf_names;     /* char *, nullable, one per leaf */
  GHashTable *index;         /* LtGradFn -> position + 1 */
};

G_DEFINE_FINAL_TYPE (LtGraph, lt_graph, G_TYPE_OBJECT)

/**
 * lt_grad_stats_copy:
 * @stats: gradient statistics
 *
 * Copies gradient statistics.
 *
 * Returns: (transfer full): a copy of @stats
 */
LtGradStats *
lt_grad_stats_copy (const LtGradStats *stats)
{
  g_return_val_if_fail (stats != NULL, NULL);
  return g_memdup2 (stats, sizeof *stats);
}

/**
 * lt_grad_stats_free:
 * @stats: gradient statistics from lt_grad_stats_copy()
 *
 * Frees gradient statistics.
 */
void
lt_grad_stats_free (LtGradStats *stats)
{
  g_free (stats);
}

G_DEFINE_BOXED_TYPE (LtGradStats, lt_grad_stats, lt_grad_stats_copy, lt_grad_stats_free)

static void
lt_graph_finalize (GObject *object)
{
  LtGraph *self = LT_GRAPH (object);

  g_clear_object (&self->output);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->info, g_array_unref);
  g_clear_pointer (&self->edges, g_array_unref);
  g_clear_pointer (&self->leaves, g_array_unref);
  g_clear_pointer (&self->leaf_names, g_ptr_array_unref);
  g_clear_pointer (&self->index, g_hash_table_unref);
  G_OBJECT_CLASS (lt_graph_parent_class)->finalize (object);
}

static void
lt_graph_class_init (LtGraphClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_graph_finalize;
}

static void
lt_graph_init (LtGraph *self)
{
  self->nodes = g_ptr_array_new_with_free_func (g_object_unref);
  self->info = g_array_new (FALSE, TRUE, sizeof (NodeInfo));
  self->edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  self->leaves = g_array_new (FALSE, FALSE, sizeof (guint));
  self->leaf_names = g_ptr_array_new_with_free_func (g_free);
  self->index = g_hash_table_new (NULL, NULL);
}

/* Depth-first post-order from the output's node: every node is placed after
 * its next functions. Iterative, so deep graphs do not exhaust the stack. */
static void
collect (LtGraph  *self,
         LtGradFn *root)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gpointer) * 2);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  struct { LtGradFn *fn; gpointer next; } top = { root, GUINT_TO_POINTER (0) };

  g_hash_table_add (seen, root);
  g_array_append_val (stack, top);
  while (stack->len > 0)
    {
      gpointer *frame = &g_array_index (stack, gpointer, (stack->len - 1) * 2);
      LtGradFn *fn = frame[0];
      guint i = GPOINTER_TO_UINT (frame[1]);
      NodeInfo info = { 0 };

      if (i < fn->n_inputs)
        {
          LtGradFn *next = fn->next[i].fn;

          frame[1] = GUINT_TO_POINTER (i + 1);
          if (next && !g_hash_table_contains (seen, next))
            {
              struct { LtGradFn *fn; gpointer next; } f = { next, GUINT_TO_POINTER (0) };

              g_hash_table_add (seen, next);
              g_array_append_val (stack, f);
            }
          continue;
        }
      g_array_set_size (stack, stack->len - 1);
      g_hash_table_insert (self->index, fn, GUINT_TO_POINTER (self->nodes->len + 1));
      if (fn->variable)
        {
          g_array_append_val (self->leaves, self->nodes->len);
          g_ptr_array_add (self->leaf_names, NULL);
        }
      info.module = fn->module;
      g_array_append_val (self->info, info);
      g_ptr_array_add (self->nodes, g_object_ref (fn));
    }

  for (guint k = 0; k < self->nodes->len; k++)
    {
      LtGradFn *fn = g_ptr_array_index (self->nodes, k);

      for (guint i = 0; i < fn->n_inputs; i++)
        if (fn->next[i].fn)
          {
            Edge e = { GPOINTER_TO_UINT (g_hash_table_lookup (self->index, fn->next[i].fn)) - 1,
                       k, i };

            g_array_append_val (self->edges, e);
          }
    }
}

/**
 * lt_graph_new:
 * @output: a tensor, usually a loss
 *
 * Walks the autograd graph that produced @output.
 *
 * Returns: (transfer full): the graph (empty when @output has no node)
 */
LtGraph *
lt_graph_new (LtTensor *output)
{
  LtGraph *self;

  g_return_val_if_fail (LT_IS_TENSOR (output), NULL);
  self = g_object_new (LT_TYPE_GRAPH, NULL);
  self->output = g_object_ref (output);
  if (lt_tensor_get_grad_fn (output))
    collect (self, lt_tensor_get_grad_fn (output));
  return self;
}

/**
 * lt_graph_get_output:
 * @self: a graph
 *
 * Gets the tensor the graph was made from.
 *
 * Returns: (transfer none): the tensor the graph was made from
 */
LtTensor *
lt_graph_get_output (LtGraph *self)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  return self->output;
}

/**
 * lt_graph_get_n_nodes:
 * @self: a graph
 *
 * Counts the nodes of the graph.
 *
 * Returns: the number of nodes
 */
guint
lt_graph_get_n_nodes (LtGraph *self)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), 0);
  return self->nodes->len;
}

/**
 * lt_graph_get_node:
 * @self: a graph
 * @index: a node position, below lt_graph_get_n_nodes()
 *
 * Gets a node; positions follow a topological order, the output's node last.
 *
 * Returns: (transfer none): the node
 */
LtGradFn *
lt_graph_get_node (LtGraph *self,
                   guint    index)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return g_ptr_array_index (self->nodes, index);
}

/**
 * lt_graph_find_node:
 * @self: a graph
 * @node: a node
 *
 * Finds the position of a node in the graph.
 *
 * Returns: the position of @node, or -1 if it is not in the graph
 */
gint
lt_graph_find_node (LtGraph  *self,
                    LtGradFn *node)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), -1);
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (self->index, node)) - 1;
}

/**
 * lt_graph_get_node_name:
 * @self: a graph
 * @index: a node position, below lt_graph_get_n_nodes()
 *
 * Gets the name of a node, as PyTorch names the same node: the name of the
 * operation's backward ("ConvolutionBackward0", "ReluBackward0") or
 * "AccumulateGrad" for a leaf's node.
 *
 * Returns: (transfer none): the node's name
 */
const char *
lt_graph_get_node_name (LtGraph *self,
                        guint    index)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return lt_grad_fn_get_name (g_ptr_array_index (self->nodes, index));
}

/**
 * lt_graph_get_node_module:
 * @self: a graph
 * @index: a node position, below lt_graph_get_n_nodes()
 *
 * Gets the dotted path of the module that made a node ("conv1",
 * "features.0"): the module scope it recorded (lt_grad_fn_get_module()).
 * For an `AccumulateGrad` node it is the module that owns the parameter
 * once lt_module_name_graph() named the graph, and otherwise the module in
 * which the leaf was first used.
 *
 * Returns: (transfer none) (nullable): the module's dotted path, or %NULL
 *   for a node made outside any module (or by a network's own forward)
 */
const char *
lt_graph_get_node_module (LtGraph *self,
                          guint    index)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return g_array_index (self->info, NodeInfo, index).module;
}

void
_lt_graph_set_node_module (LtGraph    *self,
                           guint       index,
                           const char *module)
{
  g_return_if_fail (LT_IS_GRAPH (self));
  g_return_if_fail (index < self->nodes->len);
  g_array_index (self->info, NodeInfo, index).module = module ? g_intern_string (module) : NULL;
}

/**
 * lt_graph_get_node_shape:
 * @self: a graph
 * @index: a node position, below lt_graph_get_n_nodes()
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the shape of the tensor a node's operation produced in the forward
 * pass (for an `AccumulateGrad` node, its leaf's shape). It is known after
 * the tensor was freed.
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 */
const gint64 *
lt_graph_get_node_shape (LtGraph *self,
                         guint    index,
                         guint   *n_dims)
{
  LtGradFn *fn;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  fn = g_ptr_array_index (self->nodes, index);
  if (n_dims)
    *n_dims = fn->output_meta.ndim;
  return fn->output_meta.shape;
}

/**
 * lt_graph_get_node_grad_stats:
 * @self: a graph
 * @index: a node position, below lt_graph_get_n_nodes()
 * @stats: (out caller-allocates): return location for the statistics
 *
 * Gets the statistics of the gradient that reached a node in the last
 * lt_graph_backward(): the gradient of the loss with respect to the
 * node's forward output (for an `AccumulateGrad` node, with respect to its
 * leaf: what the backward added into the leaf's #LtTensor:grad).
 *
 * Returns: %TRUE with @stats filled; %FALSE when none was recorded (no
 *   lt_graph_backward() yet, or no gradient reached the node)
 */
gboolean
lt_graph_get_node_grad_stats (LtGraph     *self,
                              guint        index,
                              LtGradStats *stats)
{
  NodeInfo *info;

  g_return_val_if_fail (LT_IS_GRAPH (self), FALSE);
  g_return_val_if_fail (index < self->nodes->len, FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);
  info = &g_array_index (self->info, NodeInfo, index);
  if (!info->has_stats)
    {
      *stats = (LtGradStats) { NAN, NAN, NAN, NAN, NAN, 0 };
      return FALSE;
    }
  *stats = info->stats;
  return TRUE;
}

/**
 * lt_graph_get_n_edges:
 * @self: a graph
 *
 * Counts the edges of the graph.
 *
 * Returns: the number of edges
 */
guint
lt_graph_get_n_edges (LtGraph *self)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), 0);
  return self->edges->len;
}

/**
 * lt_graph_get_edge:
 * @self: a graph
 * @index: an edge, below lt_graph_get_n_edges()
 * @from: (out): the position of the node whose output feeds the edge
 * @to: (out): the position of the node that consumes it
 *
 * Gets an edge in the direction data flows forward. An operation that
 * takes the same tensor twice (`x * x`) has two edges from its producer.
 *
 * Returns: %TRUE if @index is valid
 */
gboolean
lt_graph_get_edge (LtGraph *self,
                   guint    index,
                   guint   *from,
                   guint   *to)
{
  Edge *e;

  g_return_val_if_fail (LT_IS_GRAPH (self), FALSE);
  if (index >= self->edges->len)
    return FALSE;
  e = &g_array_index (self->edges, Edge, index);
  *from = e->from;
  *to = e->to;
  return TRUE;
}

/**
 * lt_graph_get_edge_shape:
 * @self: a graph
 * @index: an edge, below lt_graph_get_n_edges()
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the shape of the forward tensor that flows along an edge: the
 * input of the consuming operation that the producing node made.
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 */
const gint64 *
lt_graph_get_edge_shape (LtGraph *self,
                         guint    index,
                         guint   *n_dims)
{
  Edge *e;
  LtGradFn *fn;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->edges->len, NULL);
  e = &g_array_index (self->edges, Edge, index);
  fn = g_ptr_array_index (self->nodes, e->to);
  if (n_dims)
    *n_dims = fn->input_meta[e->input].ndim;
  return fn->input_meta[e->input].shape;
}

/**
 * lt_graph_get_n_leaves:
 * @self: a graph
 *
 * Counts the leaf tensors of the graph.
 *
 * Returns: the number of leaf tensors (one per `AccumulateGrad` node)
 */
guint
lt_graph_get_n_leaves (LtGraph *self)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), 0);
  return self->leaves->len;
}

/**
 * lt_graph_get_leaf:
 * @self: a graph
 * @index: a leaf, below lt_graph_get_n_leaves()
 * @node: (out) (optional): the position of its `AccumulateGrad` node
 *
 * Gets a leaf tensor of the graph; see lt_tensor_get_shape() and
 * lt_tensor_get_is_parameter() for what to show of it. Leaves are in the
 * order of their nodes.
 *
 * Returns: (transfer none) (nullable): the leaf, or %NULL if @index is out
 *   of range
 */
LtTensor *
lt_graph_get_leaf (LtGraph *self,
                   guint    index,
                   guint   *node)
{
  guint n;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  if (index >= self->leaves->len)
    return NULL;
  n = g_array_index (self->leaves, guint, index);
  if (node)
    *node = n;
  return LT_GRAD_FN (g_ptr_array_index (self->nodes, n))->variable;
}

/**
 * lt_graph_get_leaf_name:
 * @self: a graph
 * @index: a leaf, below lt_graph_get_n_leaves()
 *
 * Gets the name given to a leaf with lt_graph_set_leaf_name() or
 * lt_module_name_graph(), such as "conv1.weight".
 *
 * Returns: (transfer none) (nullable): the leaf's name, or %NULL when it
 *   has none
 */
const char *
lt_graph_get_leaf_name (LtGraph *self,
                        guint    index)
{
  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  g_return_val_if_fail (index < self->leaves->len, NULL);
  return g_ptr_array_index (self->leaf_names, index);
}

/**
 * lt_graph_set_leaf_name:
 * @self: a graph
 * @index: a leaf, below lt_graph_get_n_leaves()
 * @name: (nullable): the name, or %NULL to remove it
 *
 * Names a leaf of the graph, for lt_graph_to_dot() and viewers; the leaf
 * tensor itself is not changed. lt_module_name_graph() names a network's
 * parameters after their dotted names.
 */
void
lt_graph_set_leaf_name (LtGraph    *self,
                        guint       index,
                        const char *name)
{
  g_return_if_fail (LT_IS_GRAPH (self));
  g_return_if_fail (index < self->leaves->len);
  g_free (g_ptr_array_index (self->leaf_names, index));
  g_ptr_array_index (self->leaf_names, index) = g_strdup (name);
}

/* Gradient statistics */

/* Element @i of @v, a float array when @f32, else a double array. */
static inline double
stats_load (const void *v, gboolean f32, gsize i)
{
  return f32 ? (double) ((const float *) v)[i] : ((const double *) v)[i];
}

/* The statistics of @n values (floats when @f32, else doubles), in
 * double precision: two passes, so the variance does not lose its digits
 * to the mean. A NaN anywhere makes every statistic NaN. */
static void
compute_stats (const void *v, gboolean f32, gsize n, LtGradStats *stats)
{
  double   sum = 0, sq = 0, dev = 0, lo = INFINITY, hi = -INFINITY, mean;
  gboolean nan = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      double x = stats_load (v, f32, i);

      sum += x;
      sq += x * x;
      nan |= x != x;
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
  mean = n > 0 ? sum / (double) n : NAN;
  for (gsize i = 0; i < n; i++)
    {
      double d = stats_load (v, f32, i) - mean;

      dev += d * d;
    }
  stats->numel = n;
  stats->mean = mean;
  stats->std = n > 0 ? sqrt (dev / (double) n) : NAN;
  stats->min = n > 0 && !nan ? lo : NAN;
  stats->max = n > 0 && !nan ? hi : NAN;
  stats->norm = nan ? NAN : sqrt (sq);
}

/* Whether @t's elements fill one block of memory, each once, in some
 * order (a contiguous tensor, or a permutation of one such as a
 * transpose): then statistics can read the block in memory order. */
static gboolean
is_dense (LtTensor *t)
{
  guint nd, ns;
  const gint64 *shape = lt_tensor_get_shape (t, &nd);
  const gint64 *strides = lt_tensor_get_strides (t, &ns);
  gboolean used[LT_MAX_DIMS] = { FALSE };
  gint64 expect = 1;

  for (guint k = 0; k < nd; k++)
    {
      guint best = nd;

      /* the unused dimension with the smallest stride (size-1 ones first) */
      for (guint d = 0; d < nd; d++)
        if (!used[d] && (best == nd || shape[d] == 1 ||
                         (shape[best] != 1 && strides[d] < strides[best])))
          best = d;
      used[best] = TRUE;
      if (shape[best] == 1)
        continue;
      if (strides[best] != expect)
        return FALSE;
      expect *= shape[best];
    }
  return TRUE;
}

/* The statistics of @grad: read in place when it is a dense float tensor
 * in host memory, from a float64 copy otherwise. */
static gboolean
grad_stats (LtTensor    *grad,
            LtGradStats *stats,
            GError     **error)
{
  LtDType dtype = lt_tensor_get_dtype (grad);
  guintptr data = lt_tensor_get_data_ptr (grad);
  g_autofree double *values = NULL;
  gsize n = 0;

  if (data != 0 && (dtype == LT_DTYPE_FLOAT32 || dtype == LT_DTYPE_FLOAT64) &&
      (lt_tensor_is_contiguous (grad) || is_dense (grad)))
    {
      if (dtype == LT_DTYPE_FLOAT32)
        compute_stats ((const void *) data, TRUE, lt_tensor_numel (grad), stats);
      else
        compute_stats ((const void *) data, FALSE, lt_tensor_numel (grad), stats);
      return TRUE;
    }
  values = lt_tensor_to_doubles (grad, &n, error);
  if (values == NULL && n > 0)
    return FALSE;
  compute_stats (values, FALSE, n, stats);
  return TRUE;
}

typedef struct
{
  LtGraph *graph;
  GError *error;             /* the first failure to read a gradient */
} StatsRun;

static void
observe_grad (LtGradFn *node,
              LtTensor *grad,
              gpointer  user_data)
{
  StatsRun *run = user_data;
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (run->graph->index, node));
  NodeInfo *info;

  if (pos == 0 || run->error)
    return;
  info = &g_array_index (run->graph->info, NodeInfo, pos - 1);
  info->has_stats = grad_stats (grad, &info->stats, &run->error);
}

/**
 * lt_graph_backward:
 * @self: a graph
 * @retain_graph: keep the nodes' saved tensors, so that backward can run
 *   through the graph again
 * @error: return location for a #GError
 *
 * Runs the backward pass from the graph's output, as lt_tensor_backward()
 * with an implicit gradient of 1 (the output must have one element), and
 * records the statistics of the gradient that reaches every node (see
 * lt_graph_get_node_grad_stats()); statistics of an earlier backward are
 * dropped first. The gradients are added into the leaves'
 * #LtTensor:grad as lt_tensor_backward() adds them.
 *
 * Without @retain_graph every node of the graph frees the tensors it saved
 * for its backward rule, also a node no gradient reached, so that the graph
 * keeps no activations or inputs alive: only its nodes' names, shapes,
 * statistics and the leaves. The leaves then forget the graph's
 * `AccumulateGrad` nodes (later graphs get nodes of their own), so the
 * graph shares nothing that later computation changes but the leaves'
 * values: it may be handed to another thread, as #LtTrainer::graph hands
 * it to the main context.
 *
 * Returns: %TRUE on success; %FALSE with @error set as lt_tensor_backward()
 *   sets it (an output with several elements or without a graph, a saved
 *   tensor freed or modified in place), or when a gradient could not be read
 */
gboolean
lt_graph_backward (LtGraph  *self,
                   gboolean  retain_graph,
                   GError  **error)
{
  StatsRun run = { self, NULL };

  g_return_val_if_fail (LT_IS_GRAPH (self), FALSE);

  for (guint i = 0; i < self->info->len; i++)
    g_array_index (self->info, NodeInfo, i).has_stats = FALSE;
  if (!_lt_engine_backward (self->output, NULL, retain_graph, observe_grad, &run, error))
    {
      g_clear_error (&run.error);
      return FALSE;
    }
  if (!retain_graph)
    for (guint i = 0; i < self->nodes->len; i++)
      {
        LtGradFn *fn = g_ptr_array_index (self->nodes, i);

        /* An AccumulateGrad node has nothing saved; its leaf forgets it
         * instead, so that later graphs get nodes of their own and this
         * graph may go to another thread. */
        if (fn->variable == NULL)
          _lt_grad_fn_release (fn);
        else
          _lt_grad_fn_forget_accumulator (fn);
      }
  if (run.error)
    {
      g_propagate_prefixed_error (error, run.error, "backward: the gradient statistics: ");
      return FALSE;
    }
  return TRUE;
}

/* DOT */

static void
append_shape (GString      *s,
              const gint64 *shape,
              guint         ndim)
{
  g_string_append_c (s, '(');
  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ')');
}

/* @text inside a DOT double-quoted string: quotes and backslashes escaped,
 * newlines as \n (a centred line break). */
static void
append_escaped (GString    *s,
                const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n')
        g_string_append (s, "\\n");
      else
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
    }
}

/* A module's cluster: its nodes and the clusters of its children. */
typedef struct Cluster Cluster;
struct Cluster
{
  const char *path;          /* interned */
  guint id;
  GArray *members;           /* guint node positions */
  GPtrArray *children;       /* Cluster, borrowed from the table */
};

static void
cluster_free (gpointer data)
{
  Cluster *c = data;

  g_array_unref (c->members);
  g_ptr_array_unref (c->children);
  g_free (c);
}

/* The cluster of @path, made with its ancestors ("a", "a.b") when new;
 * top-level clusters are added to @roots. */
static Cluster *
cluster_get (GHashTable *clusters,
             GPtrArray  *roots,
             const char *path)
{
  Cluster *c = g_hash_table_lookup (clusters, path);
  const char *dot;

  if (c)
    return c;
  c = g_new0 (Cluster, 1);
  c->path = path;
  c->members = g_array_new (FALSE, FALSE, sizeof (guint));
  c->children = g_ptr_array_new ();
  dot = strrchr (path, '.');
  if (dot)
    {
      g_autofree char *parent = g_strndup (path, dot - path);
      Cluster *p = cluster_get (clusters, roots, g_intern_string (parent));

      g_ptr_array_add (p->children, c);
    }
  else
    g_ptr_array_add (roots, c);
  c->id = g_hash_table_size (clusters);
  g_hash_table_insert (clusters, (gpointer) path, c);
  return c;
}

static void
append_indent (GString *s,
               guint    depth)
{
  for (guint i = 0; i < depth + 1; i++)
    g_string_append (s, "  ");
}

/* A node's statement, and its leaf's when it has one. */
static void
append_node (LtGraph *self,
             GString *s,
             guint    i,
             guint    depth)
{
  LtGradFn *fn = g_ptr_array_index (self->nodes, i);

  if (fn->variable)
    {
      LtTensor *v = fn->variable;
      guint nd, leaf = 0;
      const gint64 *shape = lt_tensor_get_shape (v, &nd);
      const char *name;

      while (g_array_index (self->leaves, guint, leaf) != i)
        leaf++;
      name = g_ptr_array_index (self->leaf_names, leaf);
      append_indent (s, depth);
      g_string_append_printf (s, "leaf%u [label=\"", i);
      if (name)
        {
          append_escaped (s, name);
          g_string_append (s, "\\n");
        }
      append_shape (s, shape, nd);
      g_string_append_printf (s, "\", fillcolor=%s];\n",
                              lt_tensor_get_is_parameter (v) ? "lightblue" : "lightgray");
    }
  append_indent (s, depth);
  g_string_append_printf (s, "node%u [label=\"", i);
  append_escaped (s, lt_grad_fn_get_name (fn));
  g_string_append (s, "\", fillcolor=gray85];\n");
}

static void
append_cluster (LtGraph *self,
                GString *s,
                Cluster *c,
                guint    depth)
{
  append_indent (s, depth);
  g_string_append_printf (s, "subgraph cluster_%u {\n", c->id);
  append_indent (s, depth + 1);
  g_string_append (s, "graph [style=\"rounded,dashed\", color=gray50, fontsize=10, "
                   "fontname=monospace, labeljust=l];\n");
  append_indent (s, depth + 1);
  g_string_append (s, "label=\"");
  append_escaped (s, c->path);
  g_string_append (s, "\";\n");
  for (guint k = 0; k < c->members->len; k++)
    append_node (self, s, g_array_index (c->members, guint, k), depth + 1);
  for (guint k = 0; k < c->children->len; k++)
    append_cluster (self, s, g_ptr_array_index (c->children, k), depth + 1);
  append_indent (s, depth);
  g_string_append (s, "}\n");
}

/**
 * lt_graph_to_dot:
 * @self: a graph
 *
 * Draws the graph in Graphviz's DOT language, in the style of torchviz:
 * grey boxes for operations, blue boxes with their names and shapes for
 * parameters (light grey for other leaves), a green box for the output;
 * edges point the way data flows forward and are labelled with the shape
 * of the tensor that flows along them. The nodes a module made are drawn
 * in a box (a cluster) labelled with its dotted path, nested as the
 * modules are ("features" holds "features.0").
 *
 * Returns: (transfer full): the DOT text
 */
char *
lt_graph_to_dot (LtGraph *self)
{
  g_autoptr(GHashTable) clusters = NULL;
  g_autoptr(GPtrArray) roots = NULL;
  GString *s;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  clusters = g_hash_table_new_full (NULL, NULL, NULL, cluster_free);
  roots = g_ptr_array_new ();
  s = g_string_new ("digraph {\n"
                    "  graph [size=\"12,12\"];\n"
                    "  node [style=filled, shape=box, align=left, fontsize=10, height=0.2, "
                    "fontname=monospace];\n"
                    "  edge [fontsize=8, fontname=monospace];\n");

  /* Nodes outside any module at the top, the others in their module's
   * cluster; clusters in the order of their first node. */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      const char *module = g_array_index (self->info, NodeInfo, i).module;

      if (module == NULL)
        append_node (self, s, i, 0);
      else
        {
          Cluster *c = cluster_get (clusters, roots, module);

          g_array_append_val (c->members, i);
        }
    }
  for (guint k = 0; k < roots->len; k++)
    append_cluster (self, s, g_ptr_array_index (roots, k), 0);

  for (guint i = 0; i < self->leaves->len; i++)
    {
      guint n = g_array_index (self->leaves, guint, i);

      g_string_append_printf (s, "  leaf%u -> node%u;\n", n, n);
    }
  for (guint e = 0; e < self->edges->len; e++)
    {
      Edge *p = &g_array_index (self->edges, Edge, e);
      guint nd;
      const gint64 *shape = lt_graph_get_edge_shape (self, e, &nd);

      g_string_append_printf (s, "  node%u -> node%u [label=\" ", p->from, p->to);
      append_shape (s, shape, nd);
      g_string_append (s, "\"];\n");
    }
  if (self->nodes->len > 0)
    {
      guint nd;
      const gint64 *shape = lt_tensor_get_shape (self->output, &nd);

      g_string_append (s, "  output [label=\"");
      append_shape (s, shape, nd);
      g_string_append (s, "\", fillcolor=darkolivegreen1];\n");
      g_string_append_printf (s, "  node%u -> output;\n", self->nodes->len - 1);
    }
  g_string_append (s, "}\n");
  return g_string_free (s, FALSE);
}
