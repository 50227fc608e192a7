/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-module.h"
#include "lt-nn-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "autograd/lt-graph-private.h"

/*
 * Module scopes and graph naming: what ties the autograd graph to the
 * network that made it.
 *
 * Module scopes: lt_module_forward() tells autograd which module runs, so
 * that the nodes it makes record the module's dotted path in the network.
 *
 * The path of a module is found from the module whose forward called it
 * (the top of this thread's scope stack): the name under which that
 * caller registered it, appended to the caller's own path. A module that
 * is not a direct child of its caller but lies deeper in the caller's tree
 * (a network calling `self.features[0]` itself) gets its relative dotted
 * path ("features.0"), the shallowest one, in registration order, when it
 * is registered more than once. A module called with no module running is
 * the root: its own nodes record no path. A module that the caller did not
 * register (one made on the fly) counts as part of its caller.
 */

/* The shallowest dotted path of @target below @root, breadth first and in
 * registration order; NULL when @target is not in @root's tree. */
static char *
find_path (LtModule *root,
           LtModule *target)
{
  g_autoptr(GPtrArray) level = g_ptr_array_new ();        /* LtModule, path pairs */
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  char *found = NULL;

  g_ptr_array_add (level, root);
  g_ptr_array_add (level, NULL);
  while (level->len > 0 && found == NULL)
    {
      g_autoptr(GPtrArray) next = g_ptr_array_new ();

      for (guint i = 0; i < level->len; i += 2)
        {
          LtModule *m = g_ptr_array_index (level, i);
          const char *prefix = g_ptr_array_index (level, i + 1);
          guint n = lt_module_get_n_children (m);

          for (guint c = 0; c < n && found == NULL; c++)
            {
              const char *name = NULL;
              LtModule *child = lt_module_get_child_at (m, c, &name);
              char *path;

              if (child == NULL || g_hash_table_contains (seen, child))
                continue;
              g_hash_table_add (seen, child);
              path = prefix ? g_strconcat (prefix, ".", name, NULL) : g_strdup (name);
              if (child == target)
                found = path;
              else
                {
                  g_ptr_array_add (next, child);
                  g_ptr_array_add (next, path);
                }
            }
        }
      for (guint i = 1; i < level->len; i += 2)
        g_free (g_ptr_array_index (level, i));
      g_ptr_array_set_size (level, 0);
      if (found == NULL)
        g_ptr_array_extend_and_steal (level, g_steal_pointer (&next));
      else
        for (guint i = 1; i < next->len; i += 2)
          g_free (g_ptr_array_index (next, i));
    }
  return found;
}

void
_lt_module_scope_enter (LtModule *self)
{
  gpointer caller;
  const char *caller_path = _lt_autograd_scope_get (&caller);
  const char *path = NULL;

  if (caller != NULL && caller != self)
    {
      LtModule *parent = caller;
      guint n = lt_module_get_n_children (parent);
      const char *name = NULL;
      g_autofree char *relative = NULL;

      /* The common case first: a direct child, without allocating. */
      for (guint c = 0; c < n && name == NULL; c++)
        {
          const char *child_name = NULL;

          if (lt_module_get_child_at (parent, c, &child_name) == self)
            name = child_name;
        }
      if (name == NULL)
        name = relative = find_path (parent, self);
      if (name == NULL)
        path = caller_path;
      else if (caller_path == NULL)
        path = g_intern_string (name);
      else
        {
          g_autofree char *full = g_strconcat (caller_path, ".", name, NULL);

          path = g_intern_string (full);
        }
    }
  else if (caller == self)
    path = caller_path;
  _lt_autograd_scope_push (self, path);
}

void
_lt_module_scope_leave (void)
{
  _lt_autograd_scope_pop ();
}

/**
 * lt_module_name_graph:
 * @self: the network whose forward made @graph's output
 * @graph: a graph
 *
 * Names the leaves of @graph that are parameters of @self after their
 * dotted names in lt_module_named_parameters() ("conv1.weight"), and sets
 * the module of their `AccumulateGrad` nodes (lt_graph_get_node_module())
 * to the module that owns them ("conv1"; %NULL for a parameter of @self
 * itself), whichever module used them first. Other leaves are left as
 * they are.
 */
void
lt_module_name_graph (LtModule *self,
                      LtGraph  *graph)
{
  g_autoptr(LtStateDict) named = NULL;
  g_autoptr(GHashTable) names = NULL;

  g_return_if_fail (LT_IS_MODULE (self));
  g_return_if_fail (LT_IS_GRAPH (graph));

  named = lt_module_named_parameters (self);
  names = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < lt_state_dict_get_n_tensors (named); i++)
    g_hash_table_insert (names, lt_state_dict_get_tensor (named, i),
                         (gpointer) lt_state_dict_get_name (named, i));
  for (guint i = 0; i < lt_graph_get_n_leaves (graph); i++)
    {
      guint node = 0;
      LtTensor *leaf = lt_graph_get_leaf (graph, i, &node);
      const char *name = g_hash_table_lookup (names, leaf);
      const char *dot;

      if (name == NULL)
        continue;
      lt_graph_set_leaf_name (graph, i, name);
      dot = strrchr (name, '.');
      if (dot)
        {
          g_autofree char *owner = g_strndup (name, dot - name);

          _lt_graph_set_node_module (graph, node, owner);
        }
      else
        _lt_graph_set_node_module (graph, node, NULL);
    }
}
