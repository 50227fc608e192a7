/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_pad (LtTensor     *input,
                  const gint64 *pad,
                  gsize         n_pad,
                  const char   *mode,
                  double        value,
                  GError      **error);

G_END_DECLS
