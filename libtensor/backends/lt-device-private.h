/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/lt-types.h"

G_BEGIN_DECLS

/*
 * A device with its index, inside the library: the LtDevice that storage,
 * grad nodes and the kernels' arguments carry holds the device's type in
 * its low four bits and the index above them, so LT_DEVICE_CUDA itself is
 * cuda:0 and every "make the output where the input lives" keeps the index
 * without a second argument. Public functions take and return the type
 * (an LtDevice of the enum) and the index apart: lt_tensor_get_device()
 * masks the index off, lt_tensor_get_device_index() reads it,
 * lt_tensor_to_device_index() puts the two together.
 */

#define LT_MAX_DEVICE_INDEX 16 /* cuda:0 .. cuda:15 */

static inline LtDevice
_lt_device_type (LtDevice device)
{
  return (LtDevice) ((guint) device & 0xfu);
}

static inline int
_lt_device_index (LtDevice device)
{
  return (int) ((guint) device >> 4);
}

static inline LtDevice
_lt_device_make (LtDevice type, int index)
{
  return (LtDevice) (((guint) type & 0xfu) | ((guint) index << 4));
}

/* core/lt-device.c: */
/* "cpu", "cuda:0", "cuda:1": the name with its index, for messages */
const char *_lt_device_name (LtDevice device);

/* The device of @type and @index, checked: an index out of
 * [0, LT_MAX_DEVICE_INDEX) or given for the CPU is a GError. */
gboolean    _lt_device_from_index (LtDevice   type,
                                   int        index,
                                   LtDevice  *device,
                                   GError   **error);

G_END_DECLS
