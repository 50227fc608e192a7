/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "lt-macros.h"

G_BEGIN_DECLS

/**
 * LtDType:
 * @LT_DTYPE_FLOAT32: 32-bit IEEE float; the default for floating tensors
 * @LT_DTYPE_FLOAT64: 64-bit IEEE float
 * @LT_DTYPE_INT64: 64-bit signed integer; the default for integer tensors
 * @LT_DTYPE_INT32: 32-bit signed integer
 * @LT_DTYPE_INT16: 16-bit signed integer
 * @LT_DTYPE_INT8: 8-bit signed integer
 * @LT_DTYPE_UINT8: 8-bit unsigned integer (images)
 * @LT_DTYPE_BOOL: boolean, one byte per element holding 0 or 1
 *
 * The element type of a tensor. Binary operations promote their operands
 * the way PyTorch does (see lt_dtype_promote()).
 */
typedef enum {
  LT_DTYPE_FLOAT32,
  LT_DTYPE_FLOAT64,
  LT_DTYPE_INT64,
  LT_DTYPE_INT32,
  LT_DTYPE_INT16,
  LT_DTYPE_INT8,
  LT_DTYPE_UINT8,
  LT_DTYPE_BOOL,
} LtDType;

/**
 * LT_N_DTYPES:
 *
 * The number of values in #LtDType.
 */
#define LT_N_DTYPES 8

/**
 * LtDevice:
 * @LT_DEVICE_CPU: host memory, computed by the CPU backend (OpenBLAS, OpenMP)
 * @LT_DEVICE_CUDA: memory of a CUDA GPU, computed by the CUDA backend
 *
 * Where a tensor's elements live and which backend computes on them.
 */
typedef enum {
  LT_DEVICE_CPU,
  LT_DEVICE_CUDA,
} LtDevice;

/**
 * LT_N_DEVICES:
 *
 * The number of values in #LtDevice.
 */
#define LT_N_DEVICES 2

/**
 * LtReduction:
 * @LT_REDUCTION_NONE: no reduction: one loss per element (or sample)
 * @LT_REDUCTION_MEAN: the mean of the losses (weighted, for weighted losses)
 * @LT_REDUCTION_SUM: the sum of the losses
 *
 * How a loss function combines the losses of the elements of a batch, as
 * PyTorch's `reduction` argument.
 */
typedef enum {
  LT_REDUCTION_NONE,
  LT_REDUCTION_MEAN,
  LT_REDUCTION_SUM,
} LtReduction;

typedef struct _LtStorage LtStorage;

LT_AVAILABLE_IN_ALL
gsize        lt_dtype_get_element_size (LtDType dtype);
LT_AVAILABLE_IN_ALL
const char  *lt_dtype_get_name         (LtDType dtype);
LT_AVAILABLE_IN_ALL
gboolean     lt_dtype_is_floating      (LtDType dtype);
LT_AVAILABLE_IN_ALL
gboolean     lt_dtype_is_integral      (LtDType dtype,
                                        gboolean include_bool);
LT_AVAILABLE_IN_ALL
LtDType      lt_dtype_promote          (LtDType a,
                                        LtDType b);
LT_AVAILABLE_IN_ALL
gboolean     lt_dtype_from_name        (const char *name,
                                        LtDType    *dtype);

LT_AVAILABLE_IN_ALL
const char  *lt_device_get_name        (LtDevice device);
LT_AVAILABLE_IN_ALL
gboolean     lt_device_parse           (const char *name,
                                        LtDevice   *device,
                                        int        *index,
                                        GError    **error);

G_END_DECLS
