/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libtensor: tensors, autograd and neural networks in C, on GObject.
 *
 * A tensor (LtTensor) is an n-dimensional array of one element type on one
 * device. Operations broadcast like NumPy and promote types like PyTorch;
 * views (select, slice, transpose, expand, view, ...) share memory with the
 * tensor they come from. When an input requires grad, every operation
 * records an autograd node (LtGradFn); lt_tensor_backward() walks those
 * nodes and leaves gradients in the inputs' .grad. Every call a user can
 * get wrong returns NULL or FALSE and sets a GError in the LT_ERROR domain;
 * the library never aborts.
 *
 * The tutorial's autograd example, in C:
 *
 *   g_autoptr(GError) error = NULL;
 *   gint64 shape[] = { 2, 2 };
 *   g_autoptr(LtTensor) x = lt_ones (shape, 2, LT_DTYPE_FLOAT32, &error);
 *   lt_tensor_set_requires_grad (x, TRUE, &error);
 *
 *   g_autoptr(LtTensor) y = lt_tensor_add_scalar (x, 2, &error);      // y = x + 2
 *   g_autoptr(LtTensor) yy = lt_tensor_mul (y, y, &error);
 *   g_autoptr(LtTensor) z = lt_tensor_mul_scalar (yy, 3, &error);     // z = y * y * 3
 *   g_autoptr(LtTensor) out = lt_tensor_mean (z, &error);             // out = z.mean()
 *
 *   lt_tensor_backward (out, NULL, FALSE, &error);                    // out.backward()
 *   g_autofree char *text = lt_tensor_to_string (lt_tensor_get_grad (x));
 *   g_print ("%s", text);                                             // 4.5 everywhere
 *
 * Python and JavaScript reach the same API through GObject-Introspection
 * (namespace Lt, version 1.0); the Python overrides add operators,
 * indexing and the numpy bridge.
 *
 * Include only this header.
 */

#define LT_INSIDE

#include "core/lt-macros.h"
#include "core/lt-version.h"
#include "core/lt-types.h"
#include "core/lt-error.h"
#include "core/lt-enum-types.h"
#include "core/lt-storage.h"
#include "core/lt-tensor.h"
#include "core/lt-random.h"
#include "core/lt-threads.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-reduce.h"
#include "ops/lt-linalg.h"
#include "ops/lt-shape.h"
#include "ops/lt-index.h"
#include "autograd/lt-grad-fn.h"
#include "autograd/lt-autograd.h"
#include "autograd/lt-gradcheck.h"
#include "autograd/lt-graph.h"
#include "io/lt-state-dict.h"
#include "nn/lt-module.h"

#undef LT_INSIDE
