/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib.h>

#include "lt-macros.h"

G_BEGIN_DECLS

/**
 * LT_ERROR:
 *
 * The error domain of libtensor. Errors in it use #LtError codes.
 */
#define LT_ERROR (lt_error_quark ())

/**
 * LtError:
 * @LT_ERROR_SHAPE: shapes that do not fit the operation (broadcasting,
 *   matrix products, views of incompatible sizes)
 * @LT_ERROR_DTYPE: an element type the operation does not accept
 * @LT_ERROR_DEVICE: operands on different devices, or a device that is
 *   absent or was not built
 * @LT_ERROR_INDEX: an index or dimension out of range
 * @LT_ERROR_IO: reading or writing a file failed
 * @LT_ERROR_FORMAT: a file or buffer is not in the expected format
 * @LT_ERROR_CUDA: the CUDA runtime or cuBLAS reported a failure
 * @LT_ERROR_OUT_OF_MEMORY: an allocation failed
 * @LT_ERROR_AUTOGRAD: the autograd graph cannot be used as asked
 *   (second backward without retain_graph, a saved tensor modified in place,
 *   a non-scalar output without a gradient, ...)
 * @LT_ERROR_INVALID_ARGUMENT: an argument outside its valid range
 * @LT_ERROR_NOT_SUPPORTED: the backend has no kernel for this operation
 *   and element type
 * @LT_ERROR_FAILED: any other failure, such as a failing user callback
 * @LT_ERROR_DIVERGED: a training run's loss became NaN or infinite
 * @LT_ERROR_TIMED_OUT: a collective of a process group did not complete
 *   within the group's timeout
 * @LT_ERROR_PEER_LOST: a process of a process group ended, hung or became
 *   unreachable
 * @LT_ERROR_LINALG: a linear algebra op cannot factor its input: a
 *   singular matrix, one that is not positive-definite, or a
 *   decomposition that does not converge
 *
 * Error codes in the %LT_ERROR domain.
 */
typedef enum
{
  LT_ERROR_SHAPE,
  LT_ERROR_DTYPE,
  LT_ERROR_DEVICE,
  LT_ERROR_INDEX,
  LT_ERROR_IO,
  LT_ERROR_FORMAT,
  LT_ERROR_CUDA,
  LT_ERROR_OUT_OF_MEMORY,
  LT_ERROR_AUTOGRAD,
  LT_ERROR_INVALID_ARGUMENT,
  LT_ERROR_NOT_SUPPORTED,
  LT_ERROR_FAILED,
  LT_ERROR_DIVERGED,
  LT_ERROR_TIMED_OUT,
  LT_ERROR_PEER_LOST,
  LT_ERROR_LINALG,
} LtError;

LT_AVAILABLE_IN_ALL
GQuark lt_error_quark (void);

G_END_DECLS
