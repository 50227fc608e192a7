/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checkpoints: LtStateDict's safetensors files and LtModule's save/load.
 *
 * - Round trips of every dtype (bit patterns compared, NaN and infinities
 *   included), 0-dim and empty tensors, non-contiguous views, names and
 *   metadata with non-ASCII and JSON-escaped characters.
 * - Golden bytes: the two vectors of the reference implementation's unit
 *   tests, and a header the reference writer (safetensors 0.8.0,
 *   safetensors.torch.save) produced for ten tensors of all our dtypes.
 * - A table of hostile or broken files: each must fail with a GError in
 *   LT_ERROR whose message names the file and a tensor or byte offset;
 *   lt_state_dict_deserialize() must say the same about the same bytes.
 *   Under AddressSanitizer (leak detection on) this also proves no crash
 *   and no leak. A header claiming 99 MB in a tiny file, and a tensor
 *   claiming 100 MB of data, are loaded in a child under an address-space
 *   limit that such an allocation would exceed.
 * - Atomic saves: a save failing on a full disk (RLIMIT_FSIZE), an
 *   unwritable folder, a missing folder or a target that is a folder
 *   leaves the previous checkpoint byte for byte and no temporary file; a
 *   child saving in a loop and killed with SIGKILL at random moments
 *   always leaves a loadable checkpoint equal to one of the versions it
 *   saved; stray temporary files are removed by the next save to that
 *   name, and only those.
 * - LtModule: save/load, strict and non-strict loading with missing and
 *   unexpected keys, shape mismatches leaving the module unchanged.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libtensor.h>

#define DIMS(...) ((const gint64[]) { __VA_ARGS__ }), \
  (sizeof ((const gint64[]) { __VA_ARGS__ }) / sizeof (gint64))

/* Helpers */

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lt-ckpt-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *full = g_build_filename (path, name, NULL);
          struct stat st;

          if (lstat (full, &st) == 0 && S_ISDIR (st.st_mode))
            remove_tree (full);
          else
            g_unlink (full);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

static void
write_file (const char *path,
            const void *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* A safetensors file: the length @claimed (or the header's own length
 * when @claimed is G_MAXUINT64), the header's @header_len bytes (strlen
 * when negative), then @data_len bytes of @data (zeros when NULL). */
static GBytes *
st_file (const char   *header,
         gssize        header_len,
         guint64       claimed,
         const guint8 *data,
         gsize         data_len)
{
  GByteArray *out = g_byte_array_new ();
  gsize hl = header_len < 0 ? strlen (header) : (gsize) header_len;
  guint64 n = GUINT64_TO_LE (claimed == G_MAXUINT64 ? hl : claimed);

  g_byte_array_append (out, (const guint8 *) &n, 8);
  g_byte_array_append (out, (const guint8 *) header, (guint) hl);
  for (gsize i = 0; i < data_len; i++)
    {
      guint8 b = data ? data[i] : 0;
      g_byte_array_append (out, &b, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

/* Files in @dir whose name starts with ".<base>.tmp-". */
static guint
count_temporaries (const char *dir,
                   const char *base)
{
  g_autofree char *prefix = g_strdup_printf (".%s.tmp-", base);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  g_dir_close (d);
  return n;
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static GBytes *
tensor_bytes (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  GBytes *b = lt_tensor_to_bytes (t, &error);

  g_assert_no_error (error);
  return b;
}

static void
assert_same_tensor (LtTensor *a,
                    LtTensor *b)
{
  g_autoptr(GBytes) x = tensor_bytes (a);
  g_autoptr(GBytes) y = tensor_bytes (b);
  guint na, nb;
  const gint64 *sa = lt_tensor_get_shape (a, &na);
  const gint64 *sb = lt_tensor_get_shape (b, &nb);

  g_assert_cmpint (lt_tensor_get_dtype (a), ==, lt_tensor_get_dtype (b));
  g_assert_cmpuint (na, ==, nb);
  for (guint d = 0; d < na; d++)
    g_assert_cmpint (sa[d], ==, sb[d]);
  g_assert_true (g_bytes_equal (x, y));
}

static LtTensor *
from_data (const void   *data,
           gsize         n_bytes,
           const gint64 *shape,
           gsize         n_dims,
           LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_data (data, n_bytes, shape, n_dims, dtype, &error);

  g_assert_no_error (error);
  return t;
}

static LtStateDict *
load_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  LtStateDict *sd = lt_state_dict_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sd);
  return sd;
}

static void
save_ok (LtStateDict *sd,
         const char  *path)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = lt_state_dict_save (sd, path, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Round trips */

typedef struct
{
  LtDType dtype;
  const char *st_name;     /* the safetensors spelling */
  gsize size;
} DTypeCase;

static const DTypeCase dtype_cases[] = {
  { LT_DTYPE_FLOAT32, "F32", 4 },
  { LT_DTYPE_FLOAT64, "F64", 8 },
  { LT_DTYPE_INT64, "I64", 8 },
  { LT_DTYPE_INT32, "I32", 4 },
  { LT_DTYPE_INT16, "I16", 2 },
  { LT_DTYPE_INT8, "I8", 1 },
  { LT_DTYPE_UINT8, "U8", 1 },
  { LT_DTYPE_BOOL, "BOOL", 1 },
};

/* Eight elements of @dtype, extremes and special values included. */
static LtTensor *
special_values (LtDType dtype)
{
  union
  {
    float f[8];
    double d[8];
    gint64 i64[8];
    gint32 i32[8];
    gint16 i16[8];
    gint8 i8[8];
    guint8 u8[8];
  } v;
  gsize size = 0;

  memset (&v, 0, sizeof v);
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32:
      {
        float f[8] = { 0.0f, -0.0f, 1.5f, -3.25e-3f, 3.4028235e38f, 1.4e-45f, INFINITY, NAN };
        memcpy (v.f, f, sizeof f);
        size = 4;
      }
      break;
    case LT_DTYPE_FLOAT64:
      {
        double d[8] = { 0.0, -0.0, 0.1, -1e-300, 1.7976931348623157e308, 4.9e-324, -INFINITY, NAN };
        memcpy (v.d, d, sizeof d);
        size = 8;
      }
      break;
    case LT_DTYPE_INT64:
      {
        gint64 i[8] = { G_MININT64, G_MAXINT64, -1, 0, 1, 1099511627776, -42, 7 };
        memcpy (v.i64, i, sizeof i);
        size = 8;
      }
      break;
    case LT_DTYPE_INT32:
      {
        gint32 i[8] = { G_MININT32, G_MAXINT32, -1, 0, 1, 65536, -42, 7 };
        memcpy (v.i32, i, sizeof i);
        size = 4;
      }
      break;
    case LT_DTYPE_INT16:
      {
        gint16 i[8] = { G_MININT16, G_MAXINT16, -1, 0, 1, 256, -42, 7 };
        memcpy (v.i16, i, sizeof i);
        size = 2;
      }
      break;
    case LT_DTYPE_INT8:
      {
        gint8 i[8] = { G_MININT8, G_MAXINT8, -1, 0, 1, 16, -42, 7 };
        memcpy (v.i8, i, sizeof i);
        size = 1;
      }
      break;
    case LT_DTYPE_UINT8:
      {
        guint8 i[8] = { 0, 255, 1, 128, 127, 16, 42, 7 };
        memcpy (v.u8, i, sizeof i);
        size = 1;
      }
      break;
    case LT_DTYPE_BOOL:
      {
        guint8 i[8] = { 0, 1, 1, 0, 0, 1, 0, 1 };
        memcpy (v.u8, i, sizeof i);
        size = 1;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return from_data (&v, 8 * size, DIMS (2, 4), dtype);
}

static void
test_roundtrip_dtypes (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "dtypes.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(LtStateDict) back2 = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) mem = NULL;
  g_autoptr(GError) error = NULL;
  const char *header;
  guint64 n;

  for (guint i = 0; i < G_N_ELEMENTS (dtype_cases); i++)
    {
      g_autoptr(LtTensor) t = special_values (dtype_cases[i].dtype);
      lt_state_dict_insert (sd, dtype_cases[i].st_name, t);
    }
  save_ok (sd, path);
  back = load_ok (path);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (back), ==, G_N_ELEMENTS (dtype_cases));
  for (guint i = 0; i < G_N_ELEMENTS (dtype_cases); i++)
    {
      LtTensor *a = lt_state_dict_lookup (sd, dtype_cases[i].st_name);
      LtTensor *b = lt_state_dict_lookup (back, dtype_cases[i].st_name);

      g_assert_nonnull (b);
      assert_same_tensor (a, b);
    }

  /* The file holds the safetensors dtype names, and serialize() gives the
   * same bytes as save(). */
  file = read_file (path);
  mem = lt_state_dict_serialize (sd, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (file, mem));
  header = (const char *) g_bytes_get_data (file, NULL) + 8;
  memcpy (&n, g_bytes_get_data (file, NULL), 8);
  n = GUINT64_FROM_LE (n);
  g_assert_cmpuint (n % 8, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (dtype_cases); i++)
    {
      g_autofree char *want = g_strdup_printf ("\"%s\":{\"dtype\":\"%s\",\"shape\":[2,4],",
                                               dtype_cases[i].st_name, dtype_cases[i].st_name);
      g_assert_nonnull (g_strstr_len (header, (gssize) n, want));
    }
  back2 = lt_state_dict_deserialize (mem, "memory", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dtype_cases); i++)
    assert_same_tensor (lt_state_dict_lookup (sd, dtype_cases[i].st_name),
                        lt_state_dict_lookup (back2, dtype_cases[i].st_name));
  remove_tree (dir);
}

static void
test_roundtrip_shapes (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "shapes.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(GError) error = NULL;
  double scalar = -2.5;
  gint64 ints[6] = { 1, 2, 3, 4, 5, 6 };
  g_autoptr(LtTensor) s = from_data (&scalar, 8, NULL, 0, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) e1 = lt_zeros (DIMS (0), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) e3 = lt_zeros (DIMS (3, 0, 2), LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) m = from_data (ints, sizeof ints, DIMS (2, 3), LT_DTYPE_INT64);
  g_autoptr(LtTensor) mt = lt_tensor_t (m, &error);
  g_autoptr(LtTensor) big = lt_rand (DIMS (1, 1, 1, 2, 1, 3, 1, 2), LT_DTYPE_FLOAT32, &error);
  const gint64 *shape;
  guint nd;
  g_autofree gint64 *got = NULL;
  gsize n_got;

  g_assert_no_error (error);
  g_assert_false (lt_tensor_is_contiguous (mt));
  lt_state_dict_insert (sd, "scalar", s);
  lt_state_dict_insert (sd, "empty1", e1);
  lt_state_dict_insert (sd, "empty3", e3);
  lt_state_dict_insert (sd, "transposed", mt);
  lt_state_dict_insert (sd, "eight_dims", big);
  save_ok (sd, path);
  back = load_ok (path);

  /* Header order is kept: the file's order is the reference writer's, the
   * loaded dict's is the file's. */
  g_assert_cmpuint (lt_state_dict_get_n_tensors (back), ==, 5);
  shape = lt_tensor_get_shape (lt_state_dict_lookup (back, "scalar"), &nd);
  g_assert_cmpuint (nd, ==, 0);
  assert_same_tensor (s, lt_state_dict_lookup (back, "scalar"));
  assert_same_tensor (e1, lt_state_dict_lookup (back, "empty1"));
  assert_same_tensor (e3, lt_state_dict_lookup (back, "empty3"));
  assert_same_tensor (big, lt_state_dict_lookup (back, "eight_dims"));
  shape = lt_tensor_get_shape (lt_state_dict_lookup (back, "transposed"), &nd);
  g_assert_cmpuint (nd, ==, 2);
  g_assert_cmpint (shape[0], ==, 3);
  g_assert_cmpint (shape[1], ==, 2);
  got = lt_tensor_to_int64s (lt_state_dict_lookup (back, "transposed"), &n_got, &error);
  g_assert_no_error (error);
  {
    const gint64 want[6] = { 1, 4, 2, 5, 3, 6 };
    g_assert_cmpmem (got, n_got * sizeof (gint64), want, sizeof want);
  }

  /* A state dict with nothing in it. */
  {
    g_autoptr(LtStateDict) empty = lt_state_dict_new ();
    g_autoptr(LtStateDict) eback = NULL;

    save_ok (empty, path);
    eback = load_ok (path);
    g_assert_cmpuint (lt_state_dict_get_n_tensors (eback), ==, 0);
  }
  remove_tree (dir);
}

static void
test_roundtrip_names (void)
{
  static const char *names[] = {
    "", "poids.é", "层.权重", "emoji😀.bias", "quote\"d", "back\\slash", "new\nline",
    "tab\tbed", "ctl\001\037", "del\177", "slash/and:colon", "__metadata", "Ünïcödé ",
  };
  /* How serde_json (the reference) writes each name inside the header. */
  static const char *escaped[] = {
    "\"\"", "\"poids.é\"", "\"层.权重\"", "\"emoji😀.bias\"", "\"quote\\\"d\"",
    "\"back\\\\slash\"", "\"new\\nline\"", "\"tab\\tbed\"", "\"ctl\\u0001\\u001f\"",
    "\"del\177\"", "\"slash/and:colon\"", "\"__metadata\"", "\"Ünïcödé \"",
  };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "names.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(GBytes) file = NULL;
  g_auto(GStrv) keys = NULL;
  const char *header;

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == G_N_ELEMENTS (escaped));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      double v = i;
      g_autoptr(LtTensor) t = from_data (&v, 8, DIMS (1), LT_DTYPE_FLOAT64);
      lt_state_dict_insert (sd, names[i], t);
    }
  lt_state_dict_set_metadata (sd, "note", "é \"quoted\"\nnext\001");
  lt_state_dict_set_metadata (sd, "clé", "valeur");
  save_ok (sd, path);
  file = read_file (path);
  header = (const char *) g_bytes_get_data (file, NULL) + 8;
  for (guint i = 0; i < G_N_ELEMENTS (escaped); i++)
    {
      g_autofree char *want = g_strconcat (escaped[i], ":{\"dtype\":\"F64\"", NULL);
      g_assert_nonnull (strstr (header, want));
    }
  g_assert_nonnull (strstr (header, "{\"__metadata__\":{\"clé\":\"valeur\",\"note\":"
                                    "\"é \\\"quoted\\\"\\nnext\\u0001\"}"));

  back = load_ok (path);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (back), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      LtTensor *t = lt_state_dict_lookup (back, names[i]);
      double v;

      g_assert_nonnull (t);
      g_assert_true (lt_tensor_item (t, &v, NULL));
      g_assert_cmpfloat (v, ==, i);
    }
  keys = lt_state_dict_get_metadata_keys (back);
  g_assert_cmpuint (g_strv_length (keys), ==, 2);
  g_assert_cmpstr (keys[0], ==, "clé");
  g_assert_cmpstr (keys[1], ==, "note");
  g_assert_cmpstr (lt_state_dict_get_metadata (back, "note"), ==, "é \"quoted\"\nnext\001");
  g_assert_cmpstr (lt_state_dict_get_metadata (back, "clé"), ==, "valeur");
  remove_tree (dir);
}

static void
test_metadata (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "meta.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);
  static const char want[] =
    "{\"__metadata__\":{\"epoch\":\"3\",\"format\":\"pt\",\"step\":\"1200\"},"
    "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  gsize padded = (sizeof want - 1 + 7) / 8 * 8;
  const guint8 *p;
  guint64 n;

  g_assert_no_error (error);
  lt_state_dict_insert (sd, "w", w);
  lt_state_dict_set_metadata (sd, "step", "1200");
  lt_state_dict_set_metadata (sd, "format", "pt");
  lt_state_dict_set_metadata (sd, "epoch", "3");
  lt_state_dict_set_metadata (sd, "removed", "x");
  lt_state_dict_set_metadata (sd, "removed", NULL);
  save_ok (sd, path);

  /* Metadata first, keys sorted, compact JSON, spaces to a multiple of 8. */
  file = read_file (path);
  p = g_bytes_get_data (file, NULL);
  memcpy (&n, p, 8);
  n = GUINT64_FROM_LE (n);
  g_assert_cmpuint (n, ==, padded);
  g_assert_cmpmem (p + 8, sizeof want - 1, want, sizeof want - 1);
  for (gsize i = sizeof want - 1; i < padded; i++)
    g_assert_cmpint (p[8 + i], ==, ' ');
  g_assert_cmpuint (g_bytes_get_size (file), ==, 8 + padded + 8);

  back = load_ok (path);
  g_assert_cmpstr (lt_state_dict_get_metadata (back, "epoch"), ==, "3");
  g_assert_cmpstr (lt_state_dict_get_metadata (back, "step"), ==, "1200");
  g_assert_cmpstr (lt_state_dict_get_metadata (back, "format"), ==, "pt");
  g_assert_null (lt_state_dict_get_metadata (back, "removed"));

  /* Metadata only, no tensor. */
  {
    g_autoptr(LtStateDict) only = lt_state_dict_new ();
    g_autoptr(LtStateDict) oback = NULL;
    g_autoptr(GBytes) bytes = NULL;

    lt_state_dict_set_metadata (only, "k", "v");
    bytes = lt_state_dict_serialize (only, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 8 + 32);
    g_assert_cmpmem ((const char *) g_bytes_get_data (bytes, NULL) + 8, 32,
                     "{\"__metadata__\":{\"k\":\"v\"}}      ", 32);
    oback = lt_state_dict_deserialize (bytes, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (lt_state_dict_get_n_tensors (oback), ==, 0);
    g_assert_cmpstr (lt_state_dict_get_metadata (oback, "k"), ==, "v");
  }
  remove_tree (dir);
}

static void
test_save_refuses (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);

  /* Names the header cannot hold: nothing is written. */
  {
    g_autoptr(LtStateDict) sd = lt_state_dict_new ();
    lt_state_dict_insert (sd, "bad\xff" "name", w);
    g_assert_false (lt_state_dict_save (sd, path, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "UTF-8"));
    g_clear_error (&error);
    g_assert_null (lt_state_dict_serialize (sd, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    g_autoptr(LtStateDict) sd = lt_state_dict_new ();
    lt_state_dict_insert (sd, "__metadata__", w);
    g_assert_false (lt_state_dict_save (sd, path, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "__metadata__"));
    g_clear_error (&error);
  }
  {
    g_autoptr(LtStateDict) sd = lt_state_dict_new ();
    lt_state_dict_insert (sd, "w", w);
    lt_state_dict_set_metadata (sd, "k", "\xc3\x28");
    g_assert_false (lt_state_dict_save (sd, path, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_tree (dir);
}

/* Golden vectors */

static void
test_golden_empty (void)
{
  static const guint8 want[16] = { 8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' ' };
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) golden = g_bytes_new_static (want, sizeof want);
  g_autoptr(GError) error = NULL;

  bytes = lt_state_dict_serialize (sd, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), want, sizeof want);
  back = lt_state_dict_deserialize (golden, "golden", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (back), ==, 0);
}

static void
test_golden_attn (void)
{
  static const char header[] =
    "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
  const float values[6] = { 0, 1, 2, 3, 4, 5 };
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "attn.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(LtStateDict) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GBytes) golden = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = lt_arange (0, 6, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) t = NULL;
  guint8 data[24];

  g_assert_no_error (error);
  G_STATIC_ASSERT (sizeof header - 1 == 64);
  for (int i = 0; i < 6; i++)
    {
      guint32 bits;
      memcpy (&bits, &values[i], 4);
      bits = GUINT32_TO_LE (bits);
      memcpy (data + 4 * i, &bits, 4);
    }
  golden = st_file (header, -1, G_MAXUINT64, data, 24);
  g_assert_cmpuint (g_bytes_get_size (golden), ==, 8 + 64 + 24);

  t = lt_tensor_reshape (a, DIMS (1, 2, 3), &error);
  g_assert_no_error (error);
  lt_state_dict_insert (sd, "attn.0", t);
  bytes = lt_state_dict_serialize (sd, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, golden));
  save_ok (sd, path);
  file = read_file (path);
  g_assert_true (g_bytes_equal (file, golden));

  back = lt_state_dict_deserialize (golden, "golden", &error);
  g_assert_no_error (error);
  assert_same_tensor (t, lt_state_dict_lookup (back, "attn.0"));
  remove_tree (dir);
}

/* What safetensors 0.8.0's writer (safetensors.torch.save) made of ten
 * tensors: b=[True, False], u=[200] u8, i8=[-3], i16=[-300], i32=[70000],
 * f32=[1.5], f64=[0.1], i64=[-2^40], s=3.0 (0-dim), e=zeros(0, 3). Its
 * order: dtypes from I64 down to BOOL, then names. */
static void
test_golden_reference_order (void)
{
  static const char header[] =
    "{\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
    "\"f64\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
    "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[16,16]},"
    "\"f32\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
    "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[20,24]},"
    "\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]},"
    "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[28,30]},"
    "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[30,31]},"
    "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[31,32]},"
    "\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]}} ";
  static const char data_hex[] =
    "0000000000ffffff9a9999999999b93f0000c03f0000404070110100d4fefdc80100";
  guint8 data[34];
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) golden = NULL;
  g_autoptr(GError) error = NULL;
  gint64 i64 = -1099511627776;
  double f64 = 0.1, f32v = 1.5, sv = 3.0;
  gint64 i32 = 70000, i16 = -300, i8 = -3, u = 200, b[2] = { 1, 0 };

  G_STATIC_ASSERT (sizeof header - 1 == 560);
  for (int i = 0; i < 34; i++)
    data[i] = (guint8) (g_ascii_xdigit_value (data_hex[2 * i]) * 16 +
                        g_ascii_xdigit_value (data_hex[2 * i + 1]));
  golden = st_file (header, -1, G_MAXUINT64, data, 34);

  /* Inserted in another order than the file's. */
#define PUT(name, tensor) G_STMT_START { \
    g_autoptr(LtTensor) _t = (tensor); \
    g_assert_no_error (error); \
    lt_state_dict_insert (sd, name, _t); \
  } G_STMT_END
  PUT ("b", lt_tensor_new_from_int64s (b, 2, DIMS (2), LT_DTYPE_BOOL, &error));
  PUT ("u", lt_tensor_new_from_int64s (&u, 1, DIMS (1), LT_DTYPE_UINT8, &error));
  PUT ("i8", lt_tensor_new_from_int64s (&i8, 1, DIMS (1), LT_DTYPE_INT8, &error));
  PUT ("i16", lt_tensor_new_from_int64s (&i16, 1, DIMS (1), LT_DTYPE_INT16, &error));
  PUT ("i32", lt_tensor_new_from_int64s (&i32, 1, DIMS (1), LT_DTYPE_INT32, &error));
  PUT ("f32", lt_tensor_new_from_doubles (&f32v, 1, DIMS (1), LT_DTYPE_FLOAT32, &error));
  PUT ("f64", lt_tensor_new_from_doubles (&f64, 1, DIMS (1), LT_DTYPE_FLOAT64, &error));
  PUT ("i64", lt_tensor_new_from_int64s (&i64, 1, DIMS (1), LT_DTYPE_INT64, &error));
  PUT ("s", lt_tensor_new_from_doubles (&sv, 1, NULL, 0, LT_DTYPE_FLOAT32, &error));
  PUT ("e", lt_zeros (DIMS (0, 3), LT_DTYPE_FLOAT32, &error));
#undef PUT
  bytes = lt_state_dict_serialize (sd, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   g_bytes_get_data (golden, NULL), g_bytes_get_size (golden));
}

/* Hostile files */

typedef struct
{
  const char *what;
  const char *header;   /* NULL: the whole file is @raw */
  gssize header_len;    /* -1: strlen */
  guint64 claimed;      /* the length field; G_MAXUINT64: the header's */
  gsize data_len;       /* zero bytes after the header */
  gssize cut;           /* >= 0: keep only this many bytes of the file */
  const char *raw;
  gsize raw_len;
  LtError code;
  const char *needle;   /* part of the expected message */
} Hostile;

#define ATTN "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"
#define ONE(body) "{\"a\":{" body "}}"
#define F32_4(shape, offsets) "{\"a\":{\"dtype\":\"F32\",\"shape\":" shape \
  ",\"data_offsets\":" offsets "}}"
#define PAIR(a, b) "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":" a "}," \
  "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":" b "}}"
#define NEST16 "[[[[[[[[[[[[[[[["
#define NEST64 NEST16 NEST16 NEST16 NEST16
#define M G_MAXUINT64

static const Hostile hostile[] = {
  /* The length field */
  { "empty file", NULL, 0, M, 0, -1, "", 0, LT_ERROR_FORMAT, "too few" },
  { "truncated in the length (5 bytes)", NULL, 0, M, 0, -1, "\x40\0\0\0\0", 5,
    LT_ERROR_FORMAT, "too few" },
  { "header length past the end of the file", ATTN, -1, 64 + 25, 24, -1, NULL, 0,
    LT_ERROR_FORMAT, "runs past the end of the file" },
  { "truncated in the header", ATTN, -1, M, 24, 8 + 30, NULL, 0, LT_ERROR_FORMAT,
    "runs past the end of the file" },
  { "truncated in the data", ATTN, -1, M, 24, 8 + 64 + 20, NULL, 0, LT_ERROR_FORMAT,
    "the data is truncated" },
  { "header length 150,000,000 (> 100 MB)", ATTN, -1, 150000000, 24, -1, NULL, 0,
    LT_ERROR_FORMAT, "above the limit" },
  { "header length 2^64 - 3", ATTN, -1, G_MAXUINT64 - 3, 24, -1, NULL, 0, LT_ERROR_FORMAT,
    "above the limit" },
  { "header length 2^63", ATTN, -1, G_GUINT64_CONSTANT (1) << 63, 24, -1, NULL, 0,
    LT_ERROR_FORMAT, "above the limit" },
  { "header length 99 MB in a tiny file", ATTN, -1, 99000000, 24, -1, NULL, 0,
    LT_ERROR_FORMAT, "runs past the end of the file" },
  { "header length 0", "", 0, M, 0, -1, NULL, 0, LT_ERROR_FORMAT, "the header is empty" },
  { "header of spaces only", "        ", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "the header is empty" },
  /* Encoding */
  { "non-UTF-8 header (0xff in a name)", "{\"a\xff\":{}}", -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "not valid UTF-8" },
  { "overlong UTF-8 (C0 AF)", "{\"\xc0\xaf\":{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "not valid UTF-8" },
  { "UTF-8-encoded surrogate (ED A0 80)", "{\"\xed\xa0\x80\":{}}", -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "not valid UTF-8" },
  { "Latin-1 header", "{\"poids\xe9\":{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "not valid UTF-8" },
  { "NUL byte in the header", "{\"a\":\0{}}", 8, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "NUL byte" },
  /* JSON syntax */
  { "JSON: missing closing brace", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],"
    "\"data_offsets\":[0,4]}", -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT, "unexpected end" },
  { "JSON: missing colon", "{\"a\" {}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "expected ':'" },
  { "JSON: missing comma", PAIR ("[0,4]} \"c\":{", "[4,8]"), -1, M, 8, -1, NULL, 0,
    LT_ERROR_FORMAT, "expected ',' or '}'" },
  { "JSON: trailing comma in an object", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],"
    "\"data_offsets\":[0,4]},}", -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT, "trailing ','" },
  { "JSON: trailing comma in an array", F32_4 ("[1,]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "trailing ','" },
  { "JSON: single-quoted key", "{'a':{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "expected a string" },
  { "JSON: unterminated string", "{\"abc", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "unterminated string" },
  { "JSON: unknown escape \\q", "{\"a\\q\":{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "unknown escape" },
  { "JSON: bad \\u escape", "{\"\\u12G4\":{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "bad \\u escape" },
  { "JSON: lone surrogate \\ud800", "{\"\\ud800x\":{}}", -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "unpaired surrogate" },
  { "JSON: \\u0000 in a name", "{\"a\\u0000b\":{}}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "NUL character" },
  { "JSON: raw control character in a string", "{\"a\tb\":{}}", -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "control character" },
  { "JSON: leading zero", F32_4 ("[01]", "[0,4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "leading zero" },
  { "JSON: '1.' without digits", F32_4 ("[1.]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "after '.'" },
  { "JSON: exponent without digits", F32_4 ("[1e]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "exponent" },
  { "JSON: lone minus", F32_4 ("[-]", "[0,4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "expected a digit" },
  { "JSON: unexpected character", "{\"a\":@}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "unexpected character" },
  { "JSON: two values", "{} {}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "trailing characters" },
  /* The header's shape */
  { "header is an array", "[]", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "the header is an array, not a JSON object" },
  { "header is a string", "\"weights\"", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "the header is a string, not a JSON object" },
  { "header is null", "null", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "the header is null, not a JSON object" },
  { "deep nesting as the header", NEST64 NEST64 NEST64 NEST64, -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "the header is an array" },
  { "deep nesting in a shape", F32_4 (NEST64 NEST64, "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "dimension 0 of the shape is an array, not an integer" },
  { "deep nesting in __metadata__", "{\"__metadata__\":{\"k\":{\"k\":{\"k\":{}}}}}", -1, M,
    0, -1, NULL, 0, LT_ERROR_FORMAT, "the value of \"k\" is an object, not a string" },
  { "entry is not an object", "{\"a\":5}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "tensor 'a': its header entry is a number, not an object" },
  /* Dtypes and sizes */
  { "unknown dtype", ONE ("\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]"), -1, M, 1,
    -1, NULL, 0, LT_ERROR_FORMAT, "unknown dtype \"Q4\"" },
  { "dtype not a string", ONE ("\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]"), -1, M, 4,
    -1, NULL, 0, LT_ERROR_FORMAT, "dtype is a number, not a string" },
  { "wrong dtype size vs offsets", F32_4 ("[2]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "needs 8 bytes but data_offsets [0, 4] hold 4" },
  { "negative shape entry", F32_4 ("[-1]", "[0,4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "dimension 0 of the shape is negative" },
  { "non-integer shape entry", F32_4 ("[1.5]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "dimension 0 of the shape is not an integer" },
  { "shape entry in exponent form", F32_4 ("[1e0]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "is not an integer" },
  { "shape entry as a string", F32_4 ("[\"1\"]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "is a string, not an integer" },
  { "shape entry above 2^64", F32_4 ("[18446744073709551616]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "is too large" },
  { "shape entry 2^63", F32_4 ("[9223372036854775808]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "is too large" },
  { "shape product overflowing 64 bits", F32_4 ("[4294967296,4294967296]", "[0,4]"), -1, M, 4,
    -1, NULL, 0, LT_ERROR_FORMAT, "overflows 64 bits" },
  { "empty shape with overflowing strides", F32_4 ("[0,4611686018427387904,4]", "[0,0]"), -1,
    M, 0, -1, NULL, 0, LT_ERROR_FORMAT, "overflows 64 bits" },
  { "byte count overflowing 64 bits", ONE ("\"dtype\":\"F64\",\"shape\":[2305843009213693952],"
    "\"data_offsets\":[0,8]"), -1, M, 8, -1, NULL, 0, LT_ERROR_FORMAT,
    "overflows 64 bits in bytes" },
  { "shape claiming 400 MB in a tiny file", F32_4 ("[100000000]", "[0,400000000]"), -1, M, 4,
    -1, NULL, 0, LT_ERROR_FORMAT, "the data is truncated" },
  { "too many dimensions (9)", F32_4 ("[1,1,1,1,1,1,1,1,1]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "more than 8 dimensions" },
  { "shape is not an array", F32_4 ("4", "[0,4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "shape is a number, not an array" },
  /* Offsets */
  { "data_offsets reversed", F32_4 ("[0]", "[4,0]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "end before they begin" },
  { "data_offsets with 3 entries", F32_4 ("[1]", "[0,4,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "more than 2 entries" },
  { "data_offsets with 1 entry", F32_4 ("[1]", "[4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "has 1 entry" },
  { "data_offsets negative", F32_4 ("[1]", "[-4,0]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "data_offsets[0] is negative" },
  { "data_offsets above 2^63", F32_4 ("[0]", "[9223372036854775808,9223372036854775808]"), -1,
    M, 0, -1, NULL, 0, LT_ERROR_FORMAT, "data_offsets[0] is too large" },
  { "overlapping tensors", PAIR ("[0,4]", "[2,6]"), -1, M, 6, -1, NULL, 0, LT_ERROR_FORMAT,
    "an overlap" },
  { "two tensors on the same bytes", PAIR ("[0,4]", "[0,4]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "an overlap" },
  { "gap between tensors", PAIR ("[0,4]", "[6,10]"), -1, M, 10, -1, NULL, 0, LT_ERROR_FORMAT,
    "a gap of 2 bytes" },
  { "data not starting at 0", F32_4 ("[1]", "[4,8]"), -1, M, 8, -1, NULL, 0, LT_ERROR_FORMAT,
    "where the first tensor must start at 0" },
  { "tensors not reaching the end", F32_4 ("[1]", "[0,4]"), -1, M, 8, -1, NULL, 0,
    LT_ERROR_FORMAT, "4 bytes of trailing data" },
  { "trailing garbage after the last tensor", ATTN, -1, M, 24 + 3, -1, NULL, 0,
    LT_ERROR_FORMAT, "3 bytes of trailing data" },
  { "tensor past the end of the data", F32_4 ("[2]", "[0,8]"), -1, M, 4, -1, NULL, 0,
    LT_ERROR_FORMAT, "the data is truncated" },
  /* Keys */
  { "duplicate tensor names", PAIR ("[0,4]", "[4,8]} ,\"a\":{\"dtype\":\"U8\",\"shape\":[0],"
    "\"data_offsets\":[8,8]"), -1, M, 8, -1, NULL, 0, LT_ERROR_FORMAT,
    "tensor 'a': the name appears twice" },
  { "duplicate JSON key inside an entry", ONE ("\"dtype\":\"F32\",\"dtype\":\"I32\","
    "\"shape\":[1],\"data_offsets\":[0,4]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT,
    "the field \"dtype\" appears twice" },
  { "unknown field in an entry", ONE ("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
    "\"stride\":[1]"), -1, M, 4, -1, NULL, 0, LT_ERROR_FORMAT, "unknown field \"stride\"" },
  { "entry without data_offsets", ONE ("\"dtype\":\"F32\",\"shape\":[1]"), -1, M, 4, -1, NULL,
    0, LT_ERROR_FORMAT, "lacks data_offsets" },
  { "__metadata__ not an object", "{\"__metadata__\":[\"epoch\",\"3\"]}", -1, M, 0, -1, NULL,
    0, LT_ERROR_FORMAT, "__metadata__ is an array, not an object" },
  { "__metadata__ null", "{\"__metadata__\":null}", -1, M, 0, -1, NULL, 0, LT_ERROR_FORMAT,
    "__metadata__ is null, not an object" },
  { "__metadata__ with a number value", "{\"__metadata__\":{\"epoch\":3}}", -1, M, 0, -1, NULL,
    0, LT_ERROR_FORMAT, "the value of \"epoch\" is a number, not a string" },
  { "__metadata__ twice", "{\"__metadata__\":{},\"__metadata__\":{}}", -1, M, 0, -1, NULL, 0,
    LT_ERROR_FORMAT, "__metadata__ appears twice" },
  { "duplicate key in __metadata__", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", -1, M, 0,
    -1, NULL, 0, LT_ERROR_FORMAT, "the key \"k\" appears twice" },
};

/* A long name in a message is cut; control characters are escaped. */
static const char long_name_header[] =
  "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n\":5}";

static GBytes *
hostile_bytes (const Hostile *h)
{
  GBytes *b;

  if (h->header == NULL)
    return g_bytes_new (h->raw, h->raw_len);
  b = st_file (h->header, h->header_len, h->claimed, NULL, h->data_len);
  if (h->cut >= 0)
    {
      GBytes *c = g_bytes_new_from_bytes (b, 0, (gsize) h->cut);
      g_bytes_unref (b);
      b = c;
    }
  return b;
}

/* The message names the file and a tensor or a byte offset. */
static void
check_message (const GError *error,
               const char   *source,
               const char   *needle)
{
  g_assert_true (g_str_has_prefix (error->message, source));
  g_assert_true (strstr (error->message, "tensor '") != NULL ||
                 strstr (error->message, "byte") != NULL);
  if (strstr (error->message, needle) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, needle);
}

static void
test_hostile (void)
{
  g_autofree char *dir = make_dir ();

  g_assert_cmpuint (G_N_ELEMENTS (hostile), >=, 20);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      const Hostile *h = &hostile[i];
      g_autofree char *path = g_strdup_printf ("%s/hostile-%02u.safetensors", dir, i);
      g_autoptr(GBytes) bytes = hostile_bytes (h);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autoptr(LtStateDict) sd = NULL;
      g_autoptr(LtStateDict) sd2 = NULL;
      gint64 t0 = g_get_monotonic_time ();

      write_file (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      sd = lt_state_dict_load (path, &error);
      g_assert_null (sd);
      g_assert_nonnull (error);
      g_assert_true (error->domain == LT_ERROR);
      g_assert_cmpint (error->code, ==, h->code);
      check_message (error, path, h->needle);
      /* Quick: nothing is allocated or read that the file does not hold. */
      g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
      g_test_message ("%-42s -> %s", h->what, error->message + strlen (dir) + 1);

      /* The same bytes from memory: the same message, with the source. */
      sd2 = lt_state_dict_deserialize (bytes, "mem", &error2);
      g_assert_null (sd2);
      g_assert_error (error2, LT_ERROR, LT_ERROR_FORMAT);
      g_assert_cmpstr (error2->message + 3, ==, error->message + strlen (path));
    }

  /* A name in a message is escaped and cut. */
  {
    g_autoptr(GBytes) bytes = st_file (long_name_header, -1, G_MAXUINT64, NULL, 0);
    g_autoptr(GError) error = NULL;

    g_assert_null (lt_state_dict_deserialize (bytes, "long", &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
    g_assert_cmpuint (strlen (error->message), <, 200);
    g_assert_nonnull (strstr (error->message, "aaa..."));
    g_test_message ("%-42s -> %s", "a 160-character name in a message", error->message);
  }

  /* Files that cannot be read: LT_ERROR_IO naming them. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing.safetensors", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_null (lt_state_dict_load (missing, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_IO);
    g_assert_true (g_str_has_prefix (error->message, missing));
    g_test_message ("%-42s -> %s", "no such file", error->message + strlen (dir) + 1);
    g_clear_error (&error);
    g_assert_null (lt_state_dict_load (dir, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_IO);
    g_assert_true (g_str_has_prefix (error->message, dir));
    g_test_message ("%-42s -> %s", "a folder", error->message);
  }
  remove_tree (dir);
}

/* Every prefix of a valid file (cut anywhere) and every single-byte change
 * of its header either loads or fails cleanly. */
static void
test_hostile_mutations (void)
{
  static const char header[] =
    "{\"__metadata__\":{\"epoch\":\"2\"},\"b\":{\"dtype\":\"I64\",\"shape\":[2],"
    "\"data_offsets\":[0,16]},\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24]}}";
  static const guint8 flips[] = { 0x00, 0x01, 0x20, 0x22, 0x2c, 0x30, 0x39, 0x5b, 0x5d, 0x7b,
                                  0x7d, 0x80, 0xff };
  g_autoptr(GBytes) good = st_file (header, -1, G_MAXUINT64, NULL, 24);
  gsize size = g_bytes_get_size (good);
  guint loaded = 0, failed = 0;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LtStateDict) sd = lt_state_dict_deserialize (good, "good", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 2);
  }
  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) b = g_bytes_new_from_bytes (good, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(LtStateDict) sd = lt_state_dict_deserialize (b, "cut", &error);

      g_assert_null (sd);
      g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
      failed++;
    }
  for (gsize pos = 8; pos < 8 + sizeof header - 1; pos++)
    for (guint f = 0; f < G_N_ELEMENTS (flips); f++)
      {
        g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (good, NULL), size);
        g_autoptr(GBytes) b = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(LtStateDict) sd = NULL;

        copy[pos] = flips[f];
        b = g_bytes_new (copy, size);
        sd = lt_state_dict_deserialize (b, "flip", &error);
        if (sd)
          {
            g_assert_no_error (error);
            loaded++;
          }
        else
          {
            g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
            g_assert_true (g_str_has_prefix (error->message, "flip: "));
            failed++;
          }
      }
  g_test_message ("mutations: %u loaded, %u refused", loaded, failed);
  g_assert_cmpuint (failed, >, loaded);
}

/* In a child limited to its current address space plus 64 MiB: the 99 MB
 * header claim and the 400 MB tensor claim fail quickly, without trying
 * to allocate what they claim (which would abort the child). */
static void
test_hostile_rlimit (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *p1 = g_build_filename (dir, "claim-header.safetensors", NULL);
  g_autofree char *p2 = g_build_filename (dir, "claim-data.safetensors", NULL);
  g_autoptr(GBytes) b1 = st_file (ATTN, -1, 99000000, NULL, 24);
  g_autoptr(GBytes) b2 = st_file (F32_4 ("[25000000]", "[0,100000000]"), -1, G_MAXUINT64,
                                  NULL, 16);
  pid_t pid;
  int status;

  write_file (p1, g_bytes_get_data (b1, NULL), g_bytes_get_size (b1));
  write_file (p2, g_bytes_get_data (b2, NULL), g_bytes_get_size (b2));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *status_text = NULL;
      const char *vm;
      struct rlimit rl;
      GError *error = NULL;
      LtStateDict *sd;
      gint64 t0;
      guint64 vm_kb;

      /* The current address space, from /proc/self/status (VmSize, kB). */
      if (!g_file_get_contents ("/proc/self/status", &status_text, NULL, NULL) ||
          (vm = strstr (status_text, "VmSize:")) == NULL)
        _exit (2);
      vm_kb = g_ascii_strtoull (vm + 7, NULL, 10);
      rl.rlim_cur = rl.rlim_max = (rlim_t) (vm_kb * 1024 + 64 * 1024 * 1024);
      if (setrlimit (RLIMIT_AS, &rl) != 0)
        _exit (3);
      /* The limit bites: 99 MB of address space cannot be had (asked of
       * the kernel directly: AddressSanitizer's malloc would abort). */
      {
        void *probe = mmap (NULL, 99000000, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (probe != MAP_FAILED)
          _exit (4);
      }
      t0 = g_get_monotonic_time ();
      sd = lt_state_dict_load (p1, &error);
      if (sd != NULL || error == NULL || !g_error_matches (error, LT_ERROR, LT_ERROR_FORMAT) ||
          strstr (error->message, "runs past the end") == NULL)
        _exit (5);
      g_clear_error (&error);
      sd = lt_state_dict_load (p2, &error);
      if (sd != NULL || error == NULL || !g_error_matches (error, LT_ERROR, LT_ERROR_FORMAT) ||
          strstr (error->message, "truncated") == NULL)
        _exit (6);
      g_clear_error (&error);
      if (g_get_monotonic_time () - t0 > 2 * G_USEC_PER_SEC)
        _exit (7);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_error ("the child under RLIMIT_AS failed: %s %d",
               WIFEXITED (status) ? "exit" : "signal",
               WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
    }
  remove_tree (dir);
}

/* Atomic saves */

static LtStateDict *
filled_dict (gint64 n_elements,
             double value)
{
  g_autoptr(GError) error = NULL;
  LtStateDict *sd = lt_state_dict_new ();
  g_autoptr(LtTensor) w = lt_full (&n_elements, 1, value, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) b = lt_full (DIMS (3), value + 1, LT_DTYPE_INT64, &error);
  g_autofree char *v = g_strdup_printf ("%g", value);

  g_assert_no_error (error);
  lt_state_dict_insert (sd, "weight", w);
  lt_state_dict_insert (sd, "bias", b);
  lt_state_dict_set_metadata (sd, "version", v);
  return sd;
}

/* Runs @save_in_child in a child; returns its exit status (0: the save
 * failed as expected with LT_ERROR_IO). */
typedef enum { CHILD_FULL_DISK, CHILD_NOT_ALLOWED } ChildCase;

static int
run_failing_save (ChildCase    what,
                  LtStateDict *sd,
                  const char  *path)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GError *error = NULL;
      gboolean ok;

      if (what == CHILD_FULL_DISK)
        {
          struct rlimit rl = { 64 * 1024, 64 * 1024 };

          signal (SIGXFSZ, SIG_IGN);
          if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
            _exit (10);
        }
      else if (geteuid () == 0)
        {
          /* Root writes anywhere: become nobody. */
          if (setgid (65534) != 0 || setuid (65534) != 0)
            _exit (11);
        }
      ok = lt_state_dict_save (sd, path, &error);
      if (ok || !g_error_matches (error, LT_ERROR, LT_ERROR_IO) ||
          !g_str_has_prefix (error->message, path))
        _exit (12);
      if (what == CHILD_FULL_DISK && strstr (error->message, g_strerror (EFBIG)) == NULL)
        _exit (13);
      g_error_free (error);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
test_atomic_failures (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = filled_dict (1000, 1);
  g_autoptr(LtStateDict) big = filled_dict (1 << 20, 2);   /* 4 MiB */
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  save_ok (v1, path);
  before = read_file (path);

  /* A full disk: writes fail with EFBIG past 64 KiB. */
  g_assert_cmpint (run_failing_save (CHILD_FULL_DISK, big, path), ==, 0);
  after = read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (count_temporaries (dir, "model.safetensors"), ==, 0);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_clear_pointer (&after, g_bytes_unref);

  /* A folder we may not write to. */
  if (geteuid () != 0)
    g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  else
    g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (run_failing_save (CHILD_NOT_ALLOWED, big, path), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  after = read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_clear_pointer (&after, g_bytes_unref);

  /* A folder that does not exist. */
  {
    g_autofree char *nowhere = g_build_filename (dir, "no", "such", "model.safetensors", NULL);

    g_assert_false (lt_state_dict_save (big, nowhere, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_IO);
    g_assert_true (g_str_has_prefix (error->message, nowhere));
    g_clear_error (&error);
  }

  /* A target that is a folder: the rename fails after the data is
   * written, and the temporary file goes. */
  {
    g_autofree char *folder = g_build_filename (dir, "folder.safetensors", NULL);

    g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
    g_assert_false (lt_state_dict_save (big, folder, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "previous file is unchanged"));
    g_clear_error (&error);
    g_assert_cmpuint (count_temporaries (dir, "folder.safetensors"), ==, 0);
    g_assert_cmpuint (count_entries (dir), ==, 2);
  }

  /* And the next save works. */
  save_ok (big, path);
  {
    g_autoptr(LtStateDict) back = load_ok (path);
    g_assert_cmpstr (lt_state_dict_get_metadata (back, "version"), ==, "2");
  }
  remove_tree (dir);
}

/* Stale temporary files: only the target's own, only older ones. */
static void
test_atomic_stale_cleanup (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(LtStateDict) sd = filled_dict (10, 1);
  static const char *stale[] = { ".model.safetensors.tmp-AbC123", ".model.safetensors.tmp-zzzzzz" };
  static const char *kept[] = {
    ".other.safetensors.tmp-AbC123",        /* another target */
    ".model.safetensors.tmp-AbC12",         /* not a temporary file's name */
    ".model.safetensors.tmp-AbC123.keep",
    "model.safetensors.tmp-AbC123",
    ".model.safetensors.tmp-x.tmp-AbC123",  /* the temporary of ".model.safetensors.tmp-x" */
  };
  g_autofree char *future = g_build_filename (dir, ".model.safetensors.tmp-FUTURE", NULL);
  struct timeval tv[2];

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *p = g_build_filename (dir, stale[i], NULL);
      write_file (p, "partial", 7);
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *p = g_build_filename (dir, kept[i], NULL);
      write_file (p, "partial", 7);
    }
  /* One written after this save began (a save running beside ours). */
  write_file (future, "partial", 7);
  gettimeofday (&tv[0], NULL);
  tv[0].tv_sec += 3600;
  tv[1] = tv[0];
  g_assert_cmpint (utimes (future, tv), ==, 0);

  save_ok (sd, path);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *p = g_build_filename (dir, stale[i], NULL);
      g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *p = g_build_filename (dir, kept[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  g_assert_true (g_file_test (future, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir), ==, 1 + G_N_ELEMENTS (kept) + 1);
  remove_tree (dir);
}

/* The kill test: a child saves versions in a loop; we kill it at random
 * moments. Each version v fills tensor k's element j with
 * v * 16 + k + j % 5 and sets the metadata "version" to v. */

#define KILL_RUNS 36
#define KILL_TENSORS 3
static const gint64 kill_sizes[KILL_TENSORS] = { 1 << 20, 1 << 18, 1 << 16 };
static const LtDType kill_dtypes[KILL_TENSORS] = { LT_DTYPE_INT64, LT_DTYPE_FLOAT64, LT_DTYPE_INT32 };
static const char *kill_names[KILL_TENSORS] = { "layer.weight", "layer.bias", "steps" };

static void
fill_version (LtStateDict *sd,
              gint64       v)
{
  g_autofree char *s = g_strdup_printf ("%" G_GINT64_FORMAT, v);

  for (guint k = 0; k < KILL_TENSORS; k++)
    {
      LtTensor *t = lt_state_dict_lookup (sd, kill_names[k]);
      gpointer data = (gpointer) lt_tensor_get_data_ptr (t);

      for (gint64 j = 0; j < kill_sizes[k]; j++)
        {
          gint64 x = v * 16 + k + j % 5;

          if (kill_dtypes[k] == LT_DTYPE_INT64)
            ((gint64 *) data)[j] = x;
          else if (kill_dtypes[k] == LT_DTYPE_FLOAT64)
            ((double *) data)[j] = (double) x;
          else
            ((gint32 *) data)[j] = (gint32) x;
        }
    }
  lt_state_dict_set_metadata (sd, "version", s);
}

/* Returns the version the file holds, checking every element. */
static gint64
check_version (LtStateDict *sd)
{
  const char *s = lt_state_dict_get_metadata (sd, "version");
  gint64 v;

  g_assert_nonnull (s);
  v = g_ascii_strtoll (s, NULL, 10);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, KILL_TENSORS);
  for (guint k = 0; k < KILL_TENSORS; k++)
    {
      LtTensor *t = lt_state_dict_lookup (sd, kill_names[k]);
      const void *data;

      g_assert_nonnull (t);
      g_assert_cmpint (lt_tensor_get_dtype (t), ==, kill_dtypes[k]);
      g_assert_cmpint (lt_tensor_numel (t), ==, kill_sizes[k]);
      data = (const void *) lt_tensor_get_data_ptr (t);
      for (gint64 j = 0; j < kill_sizes[k]; j++)
        {
          gint64 x = v * 16 + k + j % 5;
          gboolean same;

          if (kill_dtypes[k] == LT_DTYPE_INT64)
            same = ((const gint64 *) data)[j] == x;
          else if (kill_dtypes[k] == LT_DTYPE_FLOAT64)
            same = ((const double *) data)[j] == (double) x;
          else
            same = ((const gint32 *) data)[j] == (gint32) x;
          if (!same)
            g_error ("version %" G_GINT64_FORMAT ": %s[%" G_GINT64_FORMAT "] is torn",
                     v, kill_names[k], j);
        }
    }
  return v;
}

static void
test_atomic_kill (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "train.safetensors", NULL);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  g_autoptr(GHashTable) versions = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  guint from_this_run = 0, from_earlier = 0, with_stray = 0, max_stray = 0, saves_total = 0;
  gint64 total_delay = 0, max_delay, t0;

  for (guint k = 0; k < KILL_TENSORS; k++)
    {
      g_autoptr(LtTensor) t = lt_zeros (&kill_sizes[k], 1, kill_dtypes[k], &error);
      g_assert_no_error (error);
      lt_state_dict_insert (sd, kill_names[k], t);
    }
  /* Delays up to four times what one fill and save takes here, so the
   * kills land anywhere in the first few saves. */
  t0 = g_get_monotonic_time ();
  fill_version (sd, 0);
  save_ok (sd, path);
  max_delay = 4 * (g_get_monotonic_time () - t0) + 5000;

  for (guint run = 1; run <= KILL_RUNS; run++)
    {
      /* A pipe tells us how many saves the child finished. */
      int fds[2];
      pid_t pid;
      int status;
      gint64 delay = g_test_rand_int_range (0, (gint32) MIN (max_delay, G_MAXINT32));
      gint64 v;
      guint stray, saves = 0;
      guint32 done = 0;
      ssize_t r;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          /* Only memory writes and the save: no threads in this child. */
          for (guint32 i = 1; ; i++)
            {
              GError *e = NULL;

              fill_version (sd, (gint64) run * 100000 + i);
              if (!lt_state_dict_save (sd, path, &e))
                _exit (1);
              if (write (fds[1], &i, sizeof i) != sizeof i)
                _exit (2);
            }
        }
      close (fds[1]);
      g_usleep ((gulong) delay);
      total_delay += delay;
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      while ((r = read (fds[0], &done, sizeof done)) == sizeof done)
        saves++;
      close (fds[0]);
      saves_total += saves;

      /* The checkpoint loads, and is one whole version. */
      {
        g_autoptr(LtStateDict) back = load_ok (path);
        v = check_version (back);
      }
      g_array_append_val (seen, v);
      g_hash_table_add (versions, &g_array_index (seen, gint64, seen->len - 1));
      if (v / 100000 == run)
        from_this_run++;
      else
        from_earlier++;
      /* A version is a finished save of this run or an earlier one. */
      g_assert_cmpint (v / 100000, <=, run);
      stray = count_temporaries (dir, "train.safetensors");
      if (stray)
        with_stray++;
      max_stray = MAX (max_stray, stray);
      /* A finished save removed every older leftover: what remains is at
       * most the temporary file of the save the kill interrupted. */
      if (saves > 0)
        g_assert_cmpuint (stray, <=, 1);
      /* The version is the last save the child finished, or the one it
       * was renaming when killed. */
      if (saves > 0)
        g_assert_cmpint (v, >=, (gint64) run * 100000 + saves);
      g_assert_cmpint (v, <=, (gint64) run * 100000 + saves + 1);
    }

  /* The next successful save cleans up. */
  fill_version (sd, 999);
  save_ok (sd, path);
  g_assert_cmpuint (count_temporaries (dir, "train.safetensors"), ==, 0);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  {
    g_autoptr(LtStateDict) back = load_ok (path);
    g_assert_cmpint (check_version (back), ==, 999);
  }
  g_test_message ("kill test: %u runs (delays 0 to %.1f ms, mean %.1f ms), %u saves completed in all, "
                  "%u distinct versions observed, %u runs left a version of their own, "
                  "%u an earlier one; stray temporary files after %u runs (at most %u at once), "
                  "none after the next save",
                  KILL_RUNS, max_delay / 1000.0, total_delay / 1000.0 / KILL_RUNS, saves_total,
                  g_hash_table_size (versions), from_this_run, from_earlier, with_stray,
                  max_stray);
  /* The random delays reach both outcomes. */
  g_assert_cmpuint (from_this_run, >, 0);
  remove_tree (dir);
}

/* Modules */

static LtTensor *
param (const gint64 *shape,
       gsize         n_dims,
       double        start)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1;
  g_autofree double *v = NULL;
  LtTensor *t;

  for (gsize d = 0; d < n_dims; d++)
    n *= shape[d];
  v = g_new (double, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    v[i] = start + 0.25 * (double) i;
  t = lt_tensor_new_from_doubles (v, (gsize) n, shape, n_dims, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  return t;
}

/* net: scale [1] (parameter), running [3] (buffer), fc: weight [3, 4],
 * bias [3]. PyTorch's order: own parameters, own buffers, children. */
static LtModule *
make_net (double start)
{
  g_autoptr(GError) error = NULL;
  LtModule *net = g_object_new (LT_TYPE_MODULE, NULL);
  g_autoptr(LtModule) fc = g_object_new (LT_TYPE_MODULE, NULL);
  g_autoptr(LtTensor) w = param (DIMS (3, 4), start);
  g_autoptr(LtTensor) b = param (DIMS (3), start + 10);
  g_autoptr(LtTensor) scale = param (DIMS (1), start + 20);
  g_autoptr(LtTensor) running = param (DIMS (3), start + 30);

  g_assert_true (lt_module_register_parameter (fc, "weight", w, &error));
  g_assert_true (lt_module_register_parameter (fc, "bias", b, &error));
  g_assert_true (lt_module_register_parameter (net, "scale", scale, &error));
  g_assert_true (lt_module_register_buffer (net, "running", running, &error));
  g_assert_true (lt_module_register_module (net, "fc", fc, &error));
  g_assert_no_error (error);
  return net;
}

/* The module's state, as bytes per tensor, to see that it is unchanged. */
static GPtrArray *
snapshot (LtModule *net)
{
  g_autoptr(LtStateDict) sd = lt_module_state_dict (net);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < lt_state_dict_get_n_tensors (sd); i++)
    g_ptr_array_add (out, tensor_bytes (lt_state_dict_get_tensor (sd, i)));
  return out;
}

static void
assert_snapshot (LtModule  *net,
                 GPtrArray *want)
{
  g_autoptr(GPtrArray) now = snapshot (net);

  g_assert_cmpuint (now->len, ==, want->len);
  for (guint i = 0; i < now->len; i++)
    g_assert_true (g_bytes_equal (now->pdata[i], want->pdata[i]));
}

static void
test_module_save_load (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  g_autoptr(LtModule) a = make_net (1);
  g_autoptr(LtModule) b = make_net (-7);
  g_autoptr(LtStateDict) sa = lt_module_state_dict (a);
  g_autoptr(LtStateDict) sb = NULL;
  g_autoptr(LtStateDict) file = NULL;
  g_autoptr(GError) error = NULL;
  LtTensor *weight_b;
  static const char *order[] = { "scale", "running", "fc.weight", "fc.bias" };

  g_assert_cmpuint (lt_state_dict_get_n_tensors (sa), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (lt_state_dict_get_name (sa, i), ==, order[i]);

  g_assert_true (lt_module_save (a, path, &error));
  g_assert_no_error (error);
  file = load_ok (path);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (file), ==, 4);

  sb = lt_module_state_dict (b);
  weight_b = lt_state_dict_lookup (sb, "fc.weight");
  g_assert_true (lt_module_load (b, path, TRUE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    assert_same_tensor (lt_state_dict_lookup (sa, order[i]), lt_state_dict_lookup (sb, order[i]));
  /* Loaded in place: the same tensor objects, still parameters. */
  g_assert_true (lt_module_get_parameter (lt_module_get_child (b, "fc"), "weight") == weight_b);
  g_assert_true (lt_tensor_get_requires_grad (weight_b));
  g_assert_true (lt_tensor_get_is_parameter (weight_b));
  remove_tree (dir);
}

static void
test_module_strict (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  g_autoptr(LtModule) a = make_net (1);
  g_autoptr(LtModule) b = make_net (-7);
  g_autoptr(LtStateDict) state = lt_module_state_dict (a);
  g_autoptr(GPtrArray) before = snapshot (b);
  g_autoptr(GPtrArray) of_a = snapshot (a);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) extra = param (DIMS (2), 0);
  g_auto(GStrv) missing = NULL;
  g_auto(GStrv) unexpected = NULL;

  /* A missing key and an unexpected one. */
  lt_state_dict_remove (state, "fc.bias");
  lt_state_dict_insert (state, "fc.extra", extra);
  g_assert_true (lt_state_dict_save (state, path, &error));
  g_assert_no_error (error);

  /* Strict: refused, nothing changed, both keys named. */
  g_assert_false (lt_module_load (b, path, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "\"fc.bias\""));
  g_assert_nonnull (strstr (error->message, "\"fc.extra\""));
  g_assert_nonnull (strstr (error->message, "missing"));
  g_assert_nonnull (strstr (error->message, "unexpected"));
  g_clear_error (&error);
  assert_snapshot (b, before);

  /* Not strict: the matching keys load, the others are reported. */
  {
    g_autoptr(LtStateDict) file = load_ok (path);

    g_assert_true (lt_module_load_state_dict (b, file, FALSE, &missing, &unexpected, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (missing), ==, 1);
    g_assert_cmpstr (missing[0], ==, "fc.bias");
    g_assert_cmpuint (g_strv_length (unexpected), ==, 1);
    g_assert_cmpstr (unexpected[0], ==, "fc.extra");
  }
  {
    g_autoptr(GPtrArray) now = snapshot (b);
    /* scale, running, fc.weight from a; fc.bias kept from b. */
    for (guint i = 0; i < 3; i++)
      g_assert_true (g_bytes_equal (now->pdata[i], of_a->pdata[i]));
    g_assert_true (g_bytes_equal (now->pdata[3], before->pdata[3]));
  }

  /* lt_module_load (not strict) takes the same file. */
  {
    g_autoptr(LtModule) c = make_net (5);
    g_assert_true (lt_module_load (c, path, FALSE, &error));
    g_assert_no_error (error);
  }
  remove_tree (dir);
}

static void
test_module_mismatch (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.safetensors", NULL);
  g_autoptr(LtModule) a = make_net (1);
  g_autoptr(LtModule) b = make_net (-7);
  g_autoptr(LtStateDict) state = lt_module_state_dict (a);
  g_autoptr(GPtrArray) before = snapshot (b);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) wrong = param (DIMS (4, 3), 0);

  /* fc.weight transposed: refused strict or not, before "scale" and
   * "running" (earlier in the order) are touched. */
  lt_state_dict_insert (state, "fc.weight", wrong);
  g_assert_true (lt_state_dict_save (state, path, &error));
  for (int strict = 0; strict < 2; strict++)
    {
      g_assert_false (lt_module_load (b, path, strict, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, "fc.weight"));
      g_assert_nonnull (strstr (error->message, "[4, 3]"));
      g_assert_nonnull (strstr (error->message, "[3, 4]"));
      g_clear_error (&error);
      assert_snapshot (b, before);
    }

  /* A broken file: the file's error, nothing changed. */
  {
    g_autoptr(GBytes) bytes = lt_state_dict_serialize (state, &error);
    gsize n = g_bytes_get_size (bytes);

    g_assert_no_error (error);
    write_file (broken, g_bytes_get_data (bytes, NULL), n - 1);
    g_assert_false (lt_module_load (b, broken, TRUE, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
    g_assert_true (g_str_has_prefix (error->message, broken));
    g_clear_error (&error);
    assert_snapshot (b, before);
  }

  /* Another dtype converts, as PyTorch's copy_ does. */
  {
    double s = 2.5;
    g_autoptr(LtTensor) scale64 = lt_tensor_new_from_doubles (&s, 1, DIMS (1), LT_DTYPE_FLOAT64,
                                                              &error);
    g_autoptr(LtStateDict) good = lt_module_state_dict (a);
    double got;

    lt_state_dict_insert (good, "scale", scale64);
    g_assert_true (lt_state_dict_save (good, path, &error));
    g_assert_true (lt_module_load (b, path, TRUE, &error));
    g_assert_no_error (error);
    g_assert_cmpint (lt_tensor_get_dtype (lt_module_get_parameter (b, "scale")), ==,
                     LT_DTYPE_FLOAT32);
    g_assert_true (lt_tensor_item (lt_module_get_parameter (b, "scale"), &got, NULL));
    g_assert_cmpfloat (got, ==, 2.5);
  }
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/roundtrip/dtypes", test_roundtrip_dtypes);
  g_test_add_func ("/checkpoint/roundtrip/shapes", test_roundtrip_shapes);
  g_test_add_func ("/checkpoint/roundtrip/names", test_roundtrip_names);
  g_test_add_func ("/checkpoint/roundtrip/metadata", test_metadata);
  g_test_add_func ("/checkpoint/save/refuses", test_save_refuses);
  g_test_add_func ("/checkpoint/golden/empty", test_golden_empty);
  g_test_add_func ("/checkpoint/golden/attn", test_golden_attn);
  g_test_add_func ("/checkpoint/golden/reference-order", test_golden_reference_order);
  g_test_add_func ("/checkpoint/hostile/table", test_hostile);
  g_test_add_func ("/checkpoint/hostile/mutations", test_hostile_mutations);
  g_test_add_func ("/checkpoint/hostile/rlimit", test_hostile_rlimit);
  g_test_add_func ("/checkpoint/atomic/failures", test_atomic_failures);
  g_test_add_func ("/checkpoint/atomic/stale-cleanup", test_atomic_stale_cleanup);
  g_test_add_func ("/checkpoint/atomic/kill", test_atomic_kill);
  g_test_add_func ("/checkpoint/module/save-load", test_module_save_load);
  g_test_add_func ("/checkpoint/module/strict", test_module_strict);
  g_test_add_func ("/checkpoint/module/mismatch", test_module_mismatch);
  return g_test_run ();
}
