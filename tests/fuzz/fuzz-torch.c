/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the reader of torch.save's files, lt_torch_load_bytes()
 * (libtensor/io/lt-torch-file.c: its pickle machine, and the zip reader of
 * io/lt-zip.c). On success every tensor is a CPU tensor whose elements
 * all lie in its storage (each one is read), the structure is UTF-8 JSON
 * that names every tensor, and loading the same bytes again gives the same
 * names and values. Every failure is an LT_ERROR naming the source.
 */
#include "fuzz-common.h"

#define SOURCE "fuzz.pt"

/* Reads every element of @t (which need not be contiguous). */
static guint64
check_strided (LtTensor *t)
{
  gsize         es = lt_dtype_get_element_size (t->dtype);
  gint64        index[LT_MAX_DIMS] = { 0 };
  const guint8 *base = t->storage->data;
  guint64       sum = 0;

  FUZZ_CHECK (LT_IS_TENSOR (t));
  FUZZ_CHECK (lt_storage_get_device (t->storage) == LT_DEVICE_CPU);
  FUZZ_CHECK (t->ndim <= LT_MAX_DIMS && t->offset >= 0);
  if (t->numel == 0)
    return 0;
  for (gint64 k = 0; k < t->numel; k++)
    {
      gint64 at = t->offset;

      for (guint d = 0; d < t->ndim; d++)
        at += index[d] * t->strides[d];
      FUZZ_CHECK (at >= 0 && (guint64) (at + 1) * es <= t->storage->nbytes);
      for (gsize b = 0; b < es; b++)
        sum += base[(gsize) at * es + b];
      for (guint d = t->ndim; d-- > 0;)
        {
          if (++index[d] < t->shape[d])
            break;
          index[d] = 0;
        }
    }
  return sum;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LtStateDict) dict = NULL;
  g_autoptr(LtStateDict) again = NULL;
  g_autofree char *structure = NULL;
  g_autofree char *structure2 = NULL;
  guint            n;

  fuzz_init (data, size);

  bytes = g_bytes_new (data, size);
  dict = lt_torch_load_bytes (bytes, SOURCE, &structure, &error);
  FUZZ_CHECK_RESULT (dict != NULL, error, SOURCE);
  if (dict == NULL)
    {
      FUZZ_CHECK (structure == NULL);
      FUZZ_CHECK (g_str_has_prefix (error->message, "load: " SOURCE));
      return 0;
    }
  FUZZ_CHECK (structure != NULL && g_utf8_validate (structure, -1, NULL));
  n = lt_state_dict_get_n_tensors (dict);
  for (guint i = 0; i < n; i++)
    {
      const char *name = lt_state_dict_get_name (dict, i);
      LtTensor   *t = lt_state_dict_get_tensor (dict, i);

      FUZZ_CHECK (name != NULL && g_utf8_validate (name, -1, NULL));
      FUZZ_CHECK (lt_state_dict_lookup (dict, name) == t);
      /* every tensor is referenced from the structure */
      FUZZ_CHECK (strstr (structure, "{\"tensor\": ") != NULL);
      check_strided (t);
      if (t->numel <= 64)
        {
          g_autofree char *text = lt_tensor_to_string (t);

          FUZZ_CHECK (text != NULL && g_utf8_validate (text, -1, NULL));
        }
    }

  /* Loading is deterministic. */
  again = lt_torch_load_bytes (bytes, SOURCE, &structure2, &error);
  FUZZ_CHECK_RESULT (again != NULL, error, SOURCE);
  FUZZ_CHECK (again != NULL && g_strcmp0 (structure, structure2) == 0);
  FUZZ_CHECK (lt_state_dict_get_n_tensors (again) == n);
  for (guint i = 0; i < n; i++)
    {
      LtTensor *x = lt_state_dict_get_tensor (dict, i);
      LtTensor *y = lt_state_dict_get_tensor (again, i);

      FUZZ_CHECK (g_strcmp0 (lt_state_dict_get_name (dict, i), lt_state_dict_get_name (again, i)) ==
                  0);
      FUZZ_CHECK (x->dtype == y->dtype && x->ndim == y->ndim && x->numel == y->numel);
      FUZZ_CHECK (x->storage->nbytes == y->storage->nbytes);
      FUZZ_CHECK (memcmp (x->storage->data, y->storage->data, x->storage->nbytes) == 0);
    }
  return 0;
}
