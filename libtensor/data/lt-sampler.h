/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_TYPE_SAMPLER (lt_sampler_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (LtSampler, lt_sampler, LT, SAMPLER, GObject)

/**
 * LtSamplerInterface:
 * @g_iface: the parent interface
 * @get_indices: returns the dataset indices of epoch @epoch, in reading
 *   order, as a one-dimensional int64 tensor; %NULL with @error set on
 *   failure
 *
 * The interface of samplers, as PyTorch's `Sampler`: which items of a
 * dataset an epoch reads, in which order (a #LtDataLoader given one with
 * lt_data_loader_set_sampler() reads those). Implement it in C in the
 * interface init function, in Python as `do_get_indices`, in JavaScript
 * as `vfunc_get_indices`.
 */
struct _LtSamplerInterface
{
  GTypeInterface g_iface;

  LtTensor *(*get_indices) (LtSampler *self,
                            gint64     dataset_length,
                            guint64    epoch,
                            GError   **error);
};

LT_AVAILABLE_IN_ALL
LtTensor *lt_sampler_get_indices (LtSampler *self,
                                  gint64     dataset_length,
                                  guint64    epoch,
                                  GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
