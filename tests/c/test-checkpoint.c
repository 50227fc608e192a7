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
 * - LtModule: save/load, strict and non-strict loading with missing and
 *   unexpected keys, shape mismatches leaving the module unchanged.
 *
 * Hostile files and atomic saves are in test-checkpoint-failures.c.
 */
#include "checkpoint-helpers.h"

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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "dtypes.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
  autofinal LtStateDict *back2 = NULL;
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "shapes.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
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
    autofinal LtStateDict *empty = lt_state_dict_new ();
    autofinal LtStateDict *eback = NULL;

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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "names.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "meta.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
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
    autofinal LtStateDict *only = lt_state_dict_new ();
    autofinal LtStateDict *oback = NULL;
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "bad.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = lt_ones (DIMS (2), LT_DTYPE_FLOAT32, &error);

  /* Names the header cannot hold: nothing is written. */
  {
    autofinal LtStateDict *sd = lt_state_dict_new ();
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
    autofinal LtStateDict *sd = lt_state_dict_new ();
    lt_state_dict_insert (sd, "__metadata__", w);
    g_assert_false (lt_state_dict_save (sd, path, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "__metadata__"));
    g_clear_error (&error);
  }
  {
    autofinal LtStateDict *sd = lt_state_dict_new ();
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
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "attn.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
  autofinal LtStateDict *back = NULL;
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
  autofinal LtStateDict *sd = lt_state_dict_new ();
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
  autofinal LtStateDict *sd = lt_module_state_dict (net);
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  autofinal LtModule    *a = make_net (1);
  autofinal LtModule    *b = make_net (-7);
  autofinal LtStateDict *sa = lt_module_state_dict (a);
  autofinal LtStateDict *sb = NULL;
  autofinal LtStateDict *file = NULL;
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  autofinal LtModule    *a = make_net (1);
  autofinal LtModule    *b = make_net (-7);
  autofinal LtStateDict *state = lt_module_state_dict (a);
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
    autofinal LtStateDict *file = load_ok (path);

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
    autofinal LtModule *c = make_net (5);
    g_assert_true (lt_module_load (c, path, FALSE, &error));
    g_assert_no_error (error);
  }
  remove_tree (dir);
}

static void
test_module_mismatch (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "net.safetensors", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.safetensors", NULL);
  autofinal LtModule    *a = make_net (1);
  autofinal LtModule    *b = make_net (-7);
  autofinal LtStateDict *state = lt_module_state_dict (a);
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
    autofinal LtStateDict *good = lt_module_state_dict (a);
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
  g_test_add_func ("/checkpoint/module/save-load", test_module_save_load);
  g_test_add_func ("/checkpoint/module/strict", test_module_strict);
  g_test_add_func ("/checkpoint/module/mismatch", test_module_mismatch);
  return g_test_run ();
}
