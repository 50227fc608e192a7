/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the safetensors reader, lt_state_dict_deserialize()
 * (libtensor/io/lt-safetensors.c through lt-state-dict.c, its JSON header read by
 * io/lt-json.c).
 * On success every tensor must be a contiguous CPU tensor whose bytes are
 * all there, small ones must print, and the dict must survive a round
 * trip: serialized again, it reads back with the same names, dtypes,
 * shapes, bytes and metadata, and serializing that gives the same bytes.
 * Every failure must be an LT_ERROR naming the source.
 */
#include "fuzz-common.h"

#define SOURCE "fuzz.safetensors"

static void
check_dict (LtStateDict *dict)
{
  g_auto(GStrv) keys = lt_state_dict_get_metadata_keys (dict);
  guint n = lt_state_dict_get_n_tensors (dict);

  for (guint i = 0; i < n; i++)
    {
      const char *name = lt_state_dict_get_name (dict, i);
      LtTensor *t = lt_state_dict_get_tensor (dict, i);

      FUZZ_CHECK (name != NULL && g_utf8_validate (name, -1, NULL));
      FUZZ_CHECK (strcmp (name, "__metadata__") != 0);
      FUZZ_CHECK (lt_state_dict_lookup (dict, name) == t);
      fuzz_check_tensor (t, t->dtype, t->shape, t->ndim);
      if (t->numel <= 64)
        {
          g_autofree char *text = lt_tensor_to_string (t);

          FUZZ_CHECK (text != NULL && g_utf8_validate (text, -1, NULL));
        }
    }
  for (guint i = 0; keys[i]; i++)
    {
      const char *value = lt_state_dict_get_metadata (dict, keys[i]);

      FUZZ_CHECK (value != NULL);
      FUZZ_CHECK (g_utf8_validate (keys[i], -1, NULL) && g_utf8_validate (value, -1, NULL));
    }
}

/* @a (read from the input) and @b (read back from its serialization)
 * hold the same things; @a's converted dtypes (F16, BF16, U16, U32) are
 * already ours, so the bytes compare as they are. */
static void
check_same (LtStateDict *a,
            LtStateDict *b)
{
  g_auto(GStrv) akeys = lt_state_dict_get_metadata_keys (a);
  g_auto(GStrv) bkeys = lt_state_dict_get_metadata_keys (b);
  guint n = lt_state_dict_get_n_tensors (a);

  FUZZ_CHECK (lt_state_dict_get_n_tensors (b) == n);
  for (guint i = 0; i < n; i++)
    {
      const char *name = lt_state_dict_get_name (a, i);
      LtTensor *x = lt_state_dict_get_tensor (a, i);
      LtTensor *y = lt_state_dict_lookup (b, name);

      FUZZ_CHECK (y != NULL);
      FUZZ_CHECK (x->dtype == y->dtype && x->ndim == y->ndim && x->numel == y->numel);
      FUZZ_CHECK (memcmp (x->shape, y->shape, x->ndim * sizeof (gint64)) == 0);
      FUZZ_CHECK (x->numel == 0
                  || memcmp (_lt_tensor_data (x), _lt_tensor_data (y),
                             (gsize) x->numel * lt_dtype_get_element_size (x->dtype)) == 0);
    }
  FUZZ_CHECK (g_strv_equal ((const char * const *) akeys, (const char * const *) bkeys));
  for (guint i = 0; akeys[i]; i++)
    FUZZ_CHECK (g_strcmp0 (lt_state_dict_get_metadata (a, akeys[i]),
                           lt_state_dict_get_metadata (b, akeys[i])) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) third = NULL;
  g_autoptr(LtStateDict) dict = NULL;
  g_autoptr(LtStateDict) back = NULL;

  fuzz_init (data, size);

  bytes = g_bytes_new (data, size);
  dict = lt_state_dict_deserialize (bytes, SOURCE, &error);
  FUZZ_CHECK_RESULT (dict != NULL, error, SOURCE);
  if (dict == NULL)
    return 0;
  check_dict (dict);

  /* The round trip. */
  again = lt_state_dict_serialize (dict, &error);
  FUZZ_CHECK_RESULT (again != NULL, error, NULL);
  FUZZ_CHECK (again != NULL);
  back = lt_state_dict_deserialize (again, "round trip", &error);
  FUZZ_CHECK_RESULT (back != NULL, error, NULL);
  if (back == NULL)
    fuzz_fail (__FILE__, __LINE__, "the serialization does not read back", error);
  check_same (dict, back);
  third = lt_state_dict_serialize (back, &error);
  FUZZ_CHECK_RESULT (third != NULL, error, NULL);
  FUZZ_CHECK (third != NULL && g_bytes_equal (again, third));
  return 0;
}
