/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checkpoints that fail: LtStateDict's loads of bad files and its atomic
 * saves (test-checkpoint.c has the round trips).
 *
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
 */
#include "checkpoint-helpers.h"

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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");

  g_assert_cmpuint (G_N_ELEMENTS (hostile), >=, 20);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      const Hostile *h = &hostile[i];
      g_autofree char *path = g_strdup_printf ("%s/hostile-%02u.safetensors", dir, i);
      g_autoptr(GBytes) bytes = hostile_bytes (h);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      autofinal LtStateDict *sd = NULL;
      autofinal LtStateDict *sd2 = NULL;
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
    autofinal LtStateDict *sd = lt_state_dict_deserialize (good, "good", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 2);
  }
  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) b = g_bytes_new_from_bytes (good, 0, cut);
      g_autoptr(GError) error = NULL;
      autofinal LtStateDict *sd = lt_state_dict_deserialize (b, "cut", &error);

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
        autofinal LtStateDict *sd = NULL;

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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  autofinal LtStateDict *v1 = filled_dict (1000, 1);
  autofinal LtStateDict *big = filled_dict (1 << 20, 2); /* 4 MiB */
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

  /* A target that is a folder: refused before anything is written. */
  {
    g_autofree char *folder = g_build_filename (dir, "folder.safetensors", NULL);

    g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
    g_assert_false (lt_state_dict_save (big, folder, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_IO);
    g_assert_nonnull (strstr (error->message, "is a folder"));
    g_clear_error (&error);
    g_assert_cmpuint (count_temporaries (dir, "folder.safetensors"), ==, 0);
    g_assert_cmpuint (count_entries (dir), ==, 2);
  }

  /* And the next save works. */
  save_ok (big, path);
  {
    autofinal LtStateDict *back = load_ok (path);
    g_assert_cmpstr (lt_state_dict_get_metadata (back, "version"), ==, "2");
  }
  remove_tree (dir);
}

/* The name a temporary file of @base made by process @pid on this host
 * has. */
static char *
tmp_name (const char *base, long pid, const char *suffix)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, g_get_host_name (), -1);

  return g_strdup_printf (".%s.tmp-%.12s-%ld-%s", base, sum, pid, suffix);
}

/* A process id that no process has: a child that has exited. */
static long
dead_pid (void)
{
  pid_t pid = fork ();
  int   status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return (long) pid;
}

/* Stale temporary files: only the target's own, only those of processes
 * of this host that are gone. */
static void
test_atomic_stale_cleanup (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  autofinal LtStateDict *sd = filled_dict (10, 1);
  long             dead = dead_pid ();
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, g_get_host_name (), -1);
  char            *stale[] = {
               tmp_name ("model.safetensors", dead, "AbC123"),
               tmp_name ("model.safetensors", dead, "zzzzzz"),
  };
  char *kept[] = {
    tmp_name ("other.safetensors", dead, "AbC123"),             /* another target */
    tmp_name ("model.safetensors", (long) getpid (), "AbC123"), /* a save of this process */
    tmp_name ("model.safetensors", 1, "AbC123"),                /* a live process */
    tmp_name ("model.safetensors", dead, "AbC12"),              /* not a temporary file's name */
    tmp_name ("model.safetensors", dead, "AbC123.keep"),
    g_strdup_printf (".model.safetensors.tmp-%.11sX-%ld-AbC123", sum, dead), /* another host */
    g_strdup (".model.safetensors.tmp-AbC123"), /* no pid: not provably stale */
    g_strdup ("model.safetensors.tmp-AbC123"),
  };

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

  save_ok (sd, path);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *p = g_build_filename (dir, stale[i], NULL);
      g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS));
      g_free (stale[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *p = g_build_filename (dir, kept[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
      g_free (kept[i]);
    }
  g_assert_cmpuint (count_entries (dir), ==, 1 + G_N_ELEMENTS (kept));
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
  g_autofree char *dir = make_tmp_dir ("lt-ckpt-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "train.safetensors", NULL);
  autofinal LtStateDict *sd = lt_state_dict_new ();
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
        autofinal LtStateDict *back = load_ok (path);
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
    autofinal LtStateDict *back = load_ok (path);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/hostile/table", test_hostile);
  g_test_add_func ("/checkpoint/hostile/mutations", test_hostile_mutations);
  g_test_add_func ("/checkpoint/hostile/rlimit", test_hostile_rlimit);
  g_test_add_func ("/checkpoint/atomic/failures", test_atomic_failures);
  g_test_add_func ("/checkpoint/atomic/stale-cleanup", test_atomic_stale_cleanup);
  g_test_add_func ("/checkpoint/atomic/kill", test_atomic_kill);
  return g_test_run ();
}
