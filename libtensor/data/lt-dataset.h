/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_TYPE_DATASET (lt_dataset_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (LtDataset, lt_dataset, LT, DATASET, GObject)

/**
 * LtDatasetInterface:
 * @g_iface: the parent interface
 * @get_length: returns the number of items
 * @get_item: fills @input and @target with new references to item @index
 *   (0 <= @index < length, checked by lt_dataset_get_item()); returns
 *   %FALSE with @error set on failure
 *
 * The interface of datasets: a length and items made of an input tensor
 * and a target tensor, as PyTorch's map-style `Dataset`. Implement it in C
 * in the interface init function, in Python as `do_get_length` and
 * `do_get_item` (returning `(True, input, target)`), in JavaScript as
 * `vfunc_get_length` and `vfunc_get_item`.
 *
 * Implementations must allow concurrent calls of @get_item from several
 * threads: data loaders with workers read items in parallel.
 */
struct _LtDatasetInterface
{
  GTypeInterface g_iface;

  gint64   (*get_length) (LtDataset *self);
  gboolean (*get_item)   (LtDataset *self,
                          gint64     index,
                          LtTensor **input,
                          LtTensor **target,
                          GError   **error);
};

LT_AVAILABLE_IN_ALL
gint64     lt_dataset_get_length (LtDataset *self);
LT_AVAILABLE_IN_ALL
gboolean   lt_dataset_get_item   (LtDataset *self,
                                  gint64     index,
                                  LtTensor **input,
                                  LtTensor **target,
                                  GError   **error);

#define LT_TYPE_SUBSET (lt_subset_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSubset, lt_subset, LT, SUBSET, GObject)

LT_AVAILABLE_IN_ALL
LtSubset     *lt_subset_new         (LtDataset    *dataset,
                                     const gint64 *indices,
                                     gsize         n_indices,
                                     GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtDataset    *lt_subset_get_dataset (LtSubset     *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_subset_get_indices (LtSubset     *self,
                                     gsize        *n_indices);

LT_AVAILABLE_IN_ALL
LtSubset    **lt_random_split       (LtDataset    *dataset,
                                     const gint64 *lengths,
                                     gsize         n_lengths,
                                     GError      **error);

G_END_DECLS
