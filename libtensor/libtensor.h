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
#include "core/lt-generator.h"
#include "core/lt-threads.h"
#include "core/lt-cuda.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-math.h"
#include "ops/lt-reduce.h"
#include "ops/lt-scan.h"
#include "ops/lt-rearrange.h"
#include "ops/lt-linalg.h"
#include "ops/lt-shape.h"
#include "ops/lt-index.h"
#include "ops/lt-index-put.h"
#include "ops/lt-conv.h"
#include "ops/lt-pooling.h"
#include "ops/lt-norm.h"
#include "ops/lt-loss.h"
#include "ops/lt-activation.h"
#include "ops/lt-embedding.h"
#include "ops/lt-pad.h"
#include "ops/lt-upsample.h"
#include "ops/lt-values.h"
#include "ops/lt-sort.h"
#include "ops/lt-linalg-lapack.h"
#include "ops/lt-distributions.h"
#include "autograd/lt-grad-fn.h"
#include "autograd/lt-autograd.h"
#include "autograd/lt-gradcheck.h"
#include "autograd/lt-graph.h"
#include "autograd/lt-function.h"
#include "io/lt-state-dict.h"
#include "io/lt-image.h"
#include "io/lt-file.h"
#include "io/lt-torch-file.h"
#include "data/lt-transform.h"
#include "data/lt-data-loader.h"
#include "data/lt-sampler.h"
#include "data/lt-dataset.h"
#include "data/lt-download.h"
#include "data/lt-cifar10.h"
#include "data/lt-mnist.h"
#include "data/lt-image-folder.h"
#include "nn/lt-module.h"
#include "nn/lt-module-hooks.h"
#include "nn/lt-init.h"
#include "nn/lt-flatten.h"
#include "nn/lt-sequential.h"
#include "nn/lt-containers.h"
#include "nn/lt-nonlinear.h"
#include "nn/lt-embedding.h"
#include "nn/lt-rnn.h"
#include "nn/lt-conv-padding.h"
#include "nn/lt-upsample.h"
#include "nn/lt-linear.h"
#include "nn/lt-conv2d.h"
#include "nn/lt-conv1d.h"
#include "nn/lt-conv-transpose2d.h"
#include "nn/lt-pooling.h"
#include "nn/lt-normalization.h"
#include "nn/lt-activation.h"
#include "nn/lt-dropout.h"
#include "nn/lt-batchnorm.h"
#include "nn/lt-functional.h"
#include "nn/lt-loss.h"
#include "nn/lt-loss-composite.h"
#include "optim/lt-optimizer.h"
#include "optim/lt-sgd.h"
#include "optim/lt-adam.h"
#include "optim/lt-rmsprop.h"
#include "optim/lt-adagrad.h"
#include "optim/lt-adamax.h"
#include "optim/lt-lbfgs.h"
#include "optim/lt-lr-scheduler.h"
#include "optim/lt-lr-schedulers.h"
#include "distributed/lt-process-group.h"
#include "distributed/lt-distributed-data-parallel.h"
#include "distributed/lt-distributed-sampler.h"
#include "train/lt-trainer.h"

#undef LT_INSIDE
