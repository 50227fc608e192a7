/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "backends/lt-device-private.h"
#include "lt-error.h"

/*
 * Device indices: the names "cpu", "cuda", "cuda:N" and their reading.
 * The encoding of an index inside an LtDevice is lt-device-private.h's.
 */

static const char *const cuda_names[LT_MAX_DEVICE_INDEX] = {
  "cuda:0", "cuda:1", "cuda:2",  "cuda:3",  "cuda:4",  "cuda:5",  "cuda:6",  "cuda:7",
  "cuda:8", "cuda:9", "cuda:10", "cuda:11", "cuda:12", "cuda:13", "cuda:14", "cuda:15",
};

const char *
_lt_device_name (LtDevice device)
{
  switch (_lt_device_type (device))
    {
      case LT_DEVICE_CPU:
        return "cpu";
      case LT_DEVICE_CUDA:
        return cuda_names[_lt_device_index (device) % LT_MAX_DEVICE_INDEX];
      default:
        return "invalid";
    }
}

gboolean
_lt_device_from_index (LtDevice type, int index, LtDevice *device, GError **error)
{
  if (type != LT_DEVICE_CPU && type != LT_DEVICE_CUDA)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "unknown device %d", (int) type);
      return FALSE;
    }
  if (type == LT_DEVICE_CPU && index > 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "cpu:%d: the CPU device takes no index (only cpu or cpu:0)", index);
      return FALSE;
    }
  if (index < 0 || index >= LT_MAX_DEVICE_INDEX)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "%s:%d: invalid device index (libtensor counts at most %d devices)",
                   lt_device_get_name (type), index, LT_MAX_DEVICE_INDEX);
      return FALSE;
    }
  *device = _lt_device_make (type, index);
  return TRUE;
}

/**
 * lt_device_parse:
 * @name: a device as PyTorch spells it: "cpu", "cuda", "cuda:1"
 * @device: (out): the device's type
 * @index: (out): its index: the number after the colon; 0 for "cuda"
 *   (cuda:0) and for "cpu"
 * @error: return location for a #GError
 *
 * Reads a device name, as `torch.device("cuda:1")`. The pair it gives is
 * what lt_tensor_to_device_index() and lt_module_to_device_index() take.
 * Whether the device exists is not checked here (lt_cuda_device_count()).
 *
 * Returns: %TRUE on success; %FALSE with @error set (%LT_ERROR_DEVICE) for
 *   an unknown name or an index that is not a number in [0, 16)
 */
gboolean
lt_device_parse (const char *name, LtDevice *device, int *index, GError **error)
{
  const char *colon;
  gsize       len;
  LtDevice    type, d;
  long        n = 0;

  g_return_val_if_fail (name != NULL, FALSE);
  colon = strchr (name, ':');
  len = colon ? (gsize) (colon - name) : strlen (name);
  if (len == 3 && strncmp (name, "cpu", 3) == 0)
    type = LT_DEVICE_CPU;
  else if (len == 4 && strncmp (name, "cuda", 4) == 0)
    type = LT_DEVICE_CUDA;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "'%s': expected a device such as cpu, cuda or cuda:1", name);
      return FALSE;
    }
  if (colon)
    {
      char *end = NULL;

      if (!g_ascii_isdigit (colon[1]) || (n = strtol (colon + 1, &end, 10), *end != '\0') ||
          n >= LT_MAX_DEVICE_INDEX)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "'%s': the device index must be a number from 0 to %d", name,
                       LT_MAX_DEVICE_INDEX - 1);
          return FALSE;
        }
    }
  if (!_lt_device_from_index (type, (int) n, &d, error))
    return FALSE;
  if (device)
    *device = type;
  if (index)
    *index = (int) n;
  return TRUE;
}
