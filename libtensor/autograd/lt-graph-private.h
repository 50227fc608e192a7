/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-graph.h"

G_BEGIN_DECLS

/* Sets the module path a graph shows for node @index (interned with
 * g_intern_string() here; NULL for none), without touching the node:
 * lt_module_name_graph() gives AccumulateGrad nodes the module that owns
 * their parameter. */
void      _lt_graph_set_node_module     (LtGraph    *self,
                                         guint       index,
                                         const char *module);

G_END_DECLS
