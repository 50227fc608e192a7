/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt_torch_load(): the files of torch.save that tests/fuzz/make-corpus.py
 * had Debian's PyTorch write (zip and legacy formats), read from C: the
 * tensors by name with their values, dtypes and strides, views sharing
 * one storage, the structure as JSON, and refusals as GErrors naming the
 * file and what is refused.
 */
#include <libtensor.h>

#include "core/lt-tensor-private.h"
#include "test-helpers.h"

static char *
corpus_file (const char *name)
{
  const char *src = g_getenv ("LT_SOURCE_DIR");

  g_assert_nonnull (src);
  return g_build_filename (src, "tests", "fuzz", "corpus", "torch", name, NULL);
}

static void
check_mixed (const char *name)
{
  g_autofree char *path = corpus_file (name);
  g_autofree char *structure = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = lt_torch_load (path, &structure, &error);
  LtTensor          *base, *view, *t, *half, *flags, *big;
  g_autofree double *v = NULL;
  g_autofree gint64 *ints = NULL;
  gsize              n;

  g_assert_no_error (error);
  g_assert_nonnull (sd);
  base = lt_state_dict_lookup (sd, "base");
  view = lt_state_dict_lookup (sd, "view");
  t = lt_state_dict_lookup (sd, "t");
  g_assert_nonnull (base);
  g_assert_nonnull (view);
  g_assert_nonnull (t);
  /* views of one storage share it */
  g_assert_true (base->storage == view->storage && base->storage == t->storage);
  g_assert_cmpint (view->offset, ==, 2);
  g_assert_cmpint (t->strides[0], ==, 1);
  g_assert_cmpint (t->strides[1], ==, 4);
  v = lt_tensor_to_doubles (t, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 12);
  g_assert_cmpfloat (v[1], ==, 4.0); /* t[0, 1] = base[4] */
  g_assert_cmpfloat (v[3], ==, 1.0); /* t[1, 0] = base[1] */
  g_clear_pointer (&v, g_free);

  half = lt_state_dict_lookup (sd, "half");
  g_assert_cmpint (lt_tensor_get_dtype (half), ==, LT_DTYPE_FLOAT32);
  v = lt_tensor_to_doubles (half, &n, &error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (v[0], ==, 1.5);
  g_assert_cmpfloat (v[2], ==, 65504.0);

  flags = lt_state_dict_lookup (sd, "bool");
  g_assert_cmpint (lt_tensor_get_dtype (flags), ==, LT_DTYPE_BOOL);
  big = lt_state_dict_lookup (sd, "i64");
  ints = lt_tensor_to_int64s (big, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ints[2], ==, G_GINT64_CONSTANT (1) << 40);
  g_assert_nonnull (strstr (structure, "[\"nested\", {\"dict\": [[\"x\", [1, 2.5, null, \"s\", "
                                       "{\"tuple\": [3, true]}, {\"float\": \"nan\"}]]]}]"));
  g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 12);
}

static void
test_mixed (void)
{
  check_mixed ("gen-mixed.pt");
}

static void
test_mixed_legacy (void)
{
  check_mixed ("gen-mixed-legacy.pt");
}

static void
test_state_dict (void)
{
  g_autofree char *path = corpus_file ("gen-state-dict.pt");
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = lt_torch_load (path, NULL, &error);
  const char *names[] = { "0.weight", "0.bias", "2.weight", "2.bias" };

  g_assert_no_error (error);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (lt_state_dict_get_name (sd, i), ==, names[i]);
  g_assert_cmpint (lt_state_dict_lookup (sd, "0.weight")->shape[1], ==, 3);
}

static void
test_refused (void)
{
  const char *cases[][2] = {
    { "gen-os-system.pt", "posix.system" },
    { "gen-os-system-legacy.pt", "posix.system" },
    { "gen-unset-memo.pt", "memo index 7" },
    { "gen-past-storage.pt", "reaches element 4 of storage 0" },
    { "gen-memo-loop.pt", "nested more than 100 deep" },
    { "gen-truncated-end.pt", "end of central directory" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = corpus_file (cases[i][0]);
      g_autofree char *structure = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LtStateDict) sd = lt_torch_load (path, &structure, &error);

      g_assert_null (sd);
      g_assert_null (structure);
      g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i][1]));
    }
}

static void
test_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = lt_torch_load ("/nonexistent/model.pt", NULL, &error);

  g_assert_null (sd);
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/model.pt"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("lt_torch_load: files of torch.save (zip and legacy) read from C");
  g_test_add_func ("/torch-file/mixed", test_mixed);
  g_test_add_func ("/torch-file/mixed-legacy", test_mixed_legacy);
  g_test_add_func ("/torch-file/state-dict", test_state_dict);
  g_test_add_func ("/torch-file/refused", test_refused);
  g_test_add_func ("/torch-file/missing", test_missing);
  return g_test_run ();
}
