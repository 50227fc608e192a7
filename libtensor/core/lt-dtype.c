/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-dtype-private.h"
#include "backends/lt-device-private.h"

const guint8 _lt_dtype_sizes[LT_N_DTYPES] = {
  [LT_DTYPE_FLOAT32] = 4,
  [LT_DTYPE_FLOAT64] = 8,
  [LT_DTYPE_INT64] = 8,
  [LT_DTYPE_INT32] = 4,
  [LT_DTYPE_INT16] = 2,
  [LT_DTYPE_INT8] = 1,
  [LT_DTYPE_UINT8] = 1,
  [LT_DTYPE_BOOL] = 1,
};

static const char *const dtype_names[LT_N_DTYPES] = {
  [LT_DTYPE_FLOAT32] = "float32",
  [LT_DTYPE_FLOAT64] = "float64",
  [LT_DTYPE_INT64] = "int64",
  [LT_DTYPE_INT32] = "int32",
  [LT_DTYPE_INT16] = "int16",
  [LT_DTYPE_INT8] = "int8",
  [LT_DTYPE_UINT8] = "uint8",
  [LT_DTYPE_BOOL] = "bool",
};

static const char *const dtype_tensor_names[LT_N_DTYPES] = {
  [LT_DTYPE_FLOAT32] = "FloatTensor",
  [LT_DTYPE_FLOAT64] = "DoubleTensor",
  [LT_DTYPE_INT64] = "LongTensor",
  [LT_DTYPE_INT32] = "IntTensor",
  [LT_DTYPE_INT16] = "ShortTensor",
  [LT_DTYPE_INT8] = "CharTensor",
  [LT_DTYPE_UINT8] = "ByteTensor",
  [LT_DTYPE_BOOL] = "BoolTensor",
};

/**
 * lt_dtype_get_element_size:
 * @dtype: an element type
 *
 * Gets the number of bytes one element of @dtype occupies.
 *
 * Returns: the size in bytes
 */
gsize
lt_dtype_get_element_size (LtDType dtype)
{
  g_return_val_if_fail ((guint) dtype < LT_N_DTYPES, 0);
  return _lt_dtype_sizes[dtype];
}

/**
 * lt_dtype_get_name:
 * @dtype: an element type
 *
 * Gets the short name of @dtype, as PyTorch spells it: "float32", "int64", ...
 *
 * Returns: (transfer none): the name
 */
const char *
lt_dtype_get_name (LtDType dtype)
{
  g_return_val_if_fail ((guint) dtype < LT_N_DTYPES, "invalid");
  return dtype_names[dtype];
}

/**
 * lt_dtype_from_name:
 * @name: a dtype name such as "float32", "float", "double", "long" or "int64"
 * @dtype: (out): where to store the element type
 *
 * Looks up an element type by name. Besides the names returned by
 * lt_dtype_get_name(), PyTorch's aliases "float", "double", "long", "int",
 * "short" are accepted.
 *
 * Returns: %TRUE if @name names a dtype
 */
gboolean
lt_dtype_from_name (const char *name,
                    LtDType    *dtype)
{
  static const struct { const char *alias; LtDType dtype; } aliases[] = {
    { "float", LT_DTYPE_FLOAT32 },
    { "double", LT_DTYPE_FLOAT64 },
    { "long", LT_DTYPE_INT64 },
    { "int", LT_DTYPE_INT32 },
    { "short", LT_DTYPE_INT16 },
  };

  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < LT_N_DTYPES; i++)
    if (strcmp (name, dtype_names[i]) == 0)
      {
        if (dtype)
          *dtype = i;
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (strcmp (name, aliases[i].alias) == 0)
      {
        if (dtype)
          *dtype = aliases[i].dtype;
        return TRUE;
      }
  return FALSE;
}

/**
 * lt_dtype_is_floating:
 * @dtype: an element type
 *
 * Tells whether @dtype is a floating-point type.
 *
 * Returns: %TRUE for float32 and float64
 */
gboolean
lt_dtype_is_floating (LtDType dtype)
{
  return _lt_dtype_is_float (dtype);
}

/**
 * lt_dtype_is_integral:
 * @dtype: an element type
 * @include_bool: whether bool counts as integral
 *
 * Tells whether @dtype is an integer type.
 *
 * Returns: %TRUE for the integer types (and bool when @include_bool)
 */
gboolean
lt_dtype_is_integral (LtDType dtype,
                      gboolean include_bool)
{
  if (dtype == LT_DTYPE_BOOL)
    return include_bool;
  return !_lt_dtype_is_float (dtype);
}

/* Rank along PyTorch's promotion lattice. int8 and uint8 are not ordered
 * against each other: they promote to int16. */
static int
dtype_rank (LtDType d)
{
  switch (d)
    {
    case LT_DTYPE_BOOL: return 0;
    case LT_DTYPE_UINT8: return 1;
    case LT_DTYPE_INT8: return 1;
    case LT_DTYPE_INT16: return 2;
    case LT_DTYPE_INT32: return 3;
    case LT_DTYPE_INT64: return 4;
    case LT_DTYPE_FLOAT32: return 5;
    case LT_DTYPE_FLOAT64: return 6;
    default: return 0;
    }
}

/**
 * lt_dtype_promote:
 * @a: an element type
 * @b: another element type
 *
 * Gets the smallest element type both @a and @b convert to without losing
 * their category, as torch.promote_types() does: bool < integers < floats,
 * and uint8 with int8 gives int16.
 *
 * Returns: the promoted type
 */
LtDType
lt_dtype_promote (LtDType a,
                  LtDType b)
{
  if (a == b)
    return a;
  if ((a == LT_DTYPE_UINT8 && b == LT_DTYPE_INT8) ||
      (a == LT_DTYPE_INT8 && b == LT_DTYPE_UINT8))
    return LT_DTYPE_INT16;
  return dtype_rank (a) >= dtype_rank (b) ? a : b;
}

const char *
_lt_dtype_tensor_name (LtDType dtype)
{
  return dtype_tensor_names[dtype];
}

/**
 * lt_device_get_name:
 * @device: a device
 *
 * Gets the name of @device, as PyTorch spells it: the type's name
 * ("cuda" for every CUDA device; lt_tensor_get_device_index() tells them
 * apart).
 *
 * Returns: (transfer none): "cpu" or "cuda"
 */
const char *
lt_device_get_name (LtDevice device)
{
  switch (_lt_device_type (device))
    {
    case LT_DEVICE_CPU: return "cpu";
    case LT_DEVICE_CUDA:
      /* an index above 0 only reaches here from inside the library */
      return _lt_device_index (device) ? _lt_device_name (device) : "cuda";
    default: return "invalid";
    }
}
