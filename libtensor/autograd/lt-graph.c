/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-graph.h"
#include "lt-grad-fn-private.h"
#include "core/lt-shape-private.h"

/**
 * LtGraph:
 *
 * A snapshot of the autograd graph behind a tensor, for viewers: its nodes
 * in topological order (every node after the nodes that feed it, the
 * output's node last), the edges between them, and the leaf tensors that
 * `AccumulateGrad` nodes stand for, each with its shape and whether it is a
 * parameter. lt_graph_to_dot() draws it for Graphviz.
 *
 * The graph holds references to the nodes and the output, so it stays valid
 * while the tensors that made it are freed.
 */

struct _LtGraph
{
  GObject parent_instance;

  /* Owned */
  LtTensor *output;
  GPtrArray *nodes;          /* LtGradFn, topological order */
  GArray *edges;             /* guint pairs: from (producer), to (consumer) */
  GHashTable *index;         /* LtGradFn -> position + 1 */
};

G_DEFINE_FINAL_TYPE (LtGraph, lt_graph, G_TYPE_OBJECT)

static void
lt_graph_finalize (GObject *object)
{
  LtGraph *self = LT_GRAPH (object);

  g_clear_object (&self->output);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->edges, g_array_unref);
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
  self->edges = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
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
      g_ptr_array_add (self->nodes, g_object_ref (fn));
    }

  for (guint k = 0; k < self->nodes->len; k++)
    {
      LtGradFn *fn = g_ptr_array_index (self->nodes, k);

      for (guint i = 0; i < fn->n_inputs; i++)
        if (fn->next[i].fn)
          {
            guint e[2] = { GPOINTER_TO_UINT (g_hash_table_lookup (self->index, fn->next[i].fn)) - 1, k };
            g_array_append_vals (self->edges, e, 1);
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
 * Gets an edge in the direction data flows forward.
 *
 * Returns: %TRUE if @index is valid
 */
gboolean
lt_graph_get_edge (LtGraph *self,
                   guint    index,
                   guint   *from,
                   guint   *to)
{
  guint *e;

  g_return_val_if_fail (LT_IS_GRAPH (self), FALSE);
  if (index >= self->edges->len)
    return FALSE;
  e = &g_array_index (self->edges, guint, index * 2);
  *from = e[0];
  *to = e[1];
  return TRUE;
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
  guint n = 0;

  g_return_val_if_fail (LT_IS_GRAPH (self), 0);
  for (guint i = 0; i < self->nodes->len; i++)
    if (LT_GRAD_FN (g_ptr_array_index (self->nodes, i))->variable)
      n++;
  return n;
}

/**
 * lt_graph_get_leaf:
 * @self: a graph
 * @index: a leaf, below lt_graph_get_n_leaves()
 * @node: (out) (optional): the position of its `AccumulateGrad` node
 *
 * Gets a leaf tensor of the graph; see lt_tensor_get_shape() and
 * lt_tensor_get_is_parameter() for what to show of it.
 *
 * Returns: (transfer none) (nullable): the leaf, or %NULL if @index is out
 *   of range
 */
LtTensor *
lt_graph_get_leaf (LtGraph *self,
                   guint    index,
                   guint   *node)
{
  guint n = 0;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      LtGradFn *fn = g_ptr_array_index (self->nodes, i);

      if (fn->variable && n++ == index)
        {
          if (node)
            *node = i;
          return fn->variable;
        }
    }
  return NULL;
}

static void
append_shape (GString     *s,
              const gint64 *shape,
              guint        ndim)
{
  g_string_append_c (s, '(');
  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ')');
}

/**
 * lt_graph_to_dot:
 * @self: a graph
 *
 * Draws the graph in Graphviz's DOT language, in the style of torchviz:
 * grey boxes for operations, blue boxes with shapes for parameters (light
 * grey for other leaves), a green box for the output; edges point the way
 * data flows forward.
 *
 * Returns: (transfer full): the DOT text
 */
char *
lt_graph_to_dot (LtGraph *self)
{
  GString *s;

  g_return_val_if_fail (LT_IS_GRAPH (self), NULL);
  s = g_string_new ("digraph {\n"
                    "  graph [size=\"12,12\"];\n"
                    "  node [style=filled, shape=box, align=left, fontsize=10, height=0.2, "
                    "fontname=monospace];\n");
  for (guint i = 0; i < self->nodes->len; i++)
    {
      LtGradFn *fn = g_ptr_array_index (self->nodes, i);

      if (fn->variable)
        {
          LtTensor *v = fn->variable;
          guint nd;
          const gint64 *shape = lt_tensor_get_shape (v, &nd);

          g_string_append_printf (s, "  leaf%u [label=\"", i);
          append_shape (s, shape, nd);
          g_string_append_printf (s, "\", fillcolor=%s];\n",
                                  lt_tensor_get_is_parameter (v) ? "lightblue" : "lightgray");
          g_string_append_printf (s, "  leaf%u -> node%u;\n", i, i);
        }
      g_string_append_printf (s, "  node%u [label=\"%s\", fillcolor=gray85];\n", i,
                              lt_grad_fn_get_name (fn));
    }
  for (guint e = 0; e < self->edges->len; e++)
    {
      guint *p = &g_array_index (self->edges, guint, e * 2);

      g_string_append_printf (s, "  node%u -> node%u;\n", p[0], p[1]);
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
