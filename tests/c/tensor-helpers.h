/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the tensor tests (test-tensor.c, test-tensor-views.c) share:
 * tensors from values, and checks of shapes, strides and values.
 */
#pragma once

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "core/lt-philox-private.h"

#define DIMS(...) ((const gint64[]) { __VA_ARGS__ }), \
  (sizeof ((const gint64[]) { __VA_ARGS__ }) / sizeof (gint64))
#define VALS(...) ((const double[]) { __VA_ARGS__ }), \
  (sizeof ((const double[]) { __VA_ARGS__ }) / sizeof (double))

void
assert_shape (LtTensor     *t,
              const gint64 *shape,
              gsize         n_dims);

void
assert_strides (LtTensor     *t,
                const gint64 *strides,
                gsize         n_dims);

void
assert_values_tol (LtTensor     *t,
                   const double *want,
                   gsize         n,
                   double        tol);

void
assert_values (LtTensor     *t,
               const double *want,
               gsize         n);

LtTensor *
tensor_of (const double *v,
           gsize         n,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype);

LtTensor *
iota (const gint64 *shape,
      gsize         n_dims,
      LtDType       dtype);

double
item (LtTensor *t);
