/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the pull JSON reader of safetensors headers
 * (libtensor/io/lt-json.c). The safetensors target reaches only what its
 * schema asks for; this one walks any JSON value with the reader's
 * primitives (objects, arrays, strings, numbers; the literals true, false
 * and null, which the reader has no use for, are matched here), to a depth
 * of 64. Checked on the way:
 *   - a failure sets an LT_ERROR, a success none;
 *   - a string read is UTF-8 without NUL, and written back with
 *     _lt_json_append_string() it reads back the same;
 *   - a number read matches RFC 8259's grammar over exactly the bytes it
 *     consumed, and an integer's magnitude (or overflow) is what its digits
 *     say;
 *   - a walk that succeeds consumed the whole text.
 */
#include "fuzz-common.h"

#include "io/lt-json-private.h"

#define MAX_DEPTH 64

static GRegex *number_re;

static gboolean walk_value (LtJsonReader *r,
                            guint         depth,
                            GError      **error);

static gboolean
walk_string (LtJsonReader *r,
             GError      **error)
{
  g_autofree char *s = _lt_json_reader_string (r, error);
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autofree char *again = NULL;
  LtJsonReader r2;

  FUZZ_CHECK_RESULT (s != NULL, error ? *error : NULL, NULL);
  if (s == NULL)
    return FALSE;
  FUZZ_CHECK (g_utf8_validate (s, -1, NULL));
  out = g_string_new (NULL);
  _lt_json_append_string (out, s);
  FUZZ_CHECK (_lt_json_reader_init (&r2, out->str, out->len, 0, &again_error));
  again = _lt_json_reader_string (&r2, &again_error);
  FUZZ_CHECK_RESULT (again != NULL, again_error, NULL);
  FUZZ_CHECK (again != NULL && strcmp (again, s) == 0);
  FUZZ_CHECK (_lt_json_reader_end (&r2, &again_error));
  return TRUE;
}

static gboolean
walk_number (LtJsonReader *r,
             GError      **error)
{
  LtJsonNumber num;
  const char *start, *digits;
  g_autofree char *text = NULL;
  gsize n_digits;
  gboolean ok;

  _lt_json_reader_peek (r);
  start = r->p;
  ok = _lt_json_reader_number (r, &num, error);
  FUZZ_CHECK_RESULT (ok, error ? *error : NULL, NULL);
  if (!ok)
    return FALSE;
  text = g_strndup (start, (gsize) (r->p - start));
  FUZZ_CHECK (strlen (text) == (gsize) (r->p - start));
  FUZZ_CHECK (g_regex_match (number_re, text, 0, NULL));
  /* The next byte cannot continue the number. */
  FUZZ_CHECK (r->p == r->end || !g_ascii_isdigit (*r->p));
  FUZZ_CHECK (num.negative == (text[0] == '-'));
  FUZZ_CHECK (num.is_integer == (strpbrk (text, ".eE") == NULL));
  if (!num.is_integer)
    return TRUE;
  digits = text + (num.negative ? 1 : 0);
  n_digits = strlen (digits);
  /* 18446744073709551615 is the largest 64-bit magnitude. */
  FUZZ_CHECK (num.overflow == (n_digits > 20
                               || (n_digits == 20 && strcmp (digits, "18446744073709551615") > 0)));
  if (!num.overflow)
    FUZZ_CHECK (num.magnitude == g_ascii_strtoull (digits, NULL, 10));
  return TRUE;
}

static gboolean
walk_literal (LtJsonReader *r,
              GError      **error)
{
  static const char *const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);

      if ((gsize) (r->end - r->p) >= n && memcmp (r->p, literals[i], n) == 0)
        {
          r->p += n;
          return TRUE;
        }
    }
  return _lt_json_reader_fail (r, error, "not a literal");
}

static gboolean
walk_container (LtJsonReader *r,
                char          open,
                guint         depth,
                GError      **error)
{
  char close = open == '{' ? '}' : ']';
  gboolean first = TRUE, more;

  if (!_lt_json_reader_expect (r, open, error))
    return FALSE;
  while (TRUE)
    {
      gboolean ok = _lt_json_reader_next (r, close, &first, &more, error);

      FUZZ_CHECK_RESULT (ok, error ? *error : NULL, NULL);
      if (!ok)
        return FALSE;
      if (!more)
        return TRUE;
      if (open == '{')
        {
          if (_lt_json_reader_peek (r) != '"')
            return _lt_json_reader_fail (r, error, "expected a key");
          if (!walk_string (r, error) || !_lt_json_reader_expect (r, ':', error))
            return FALSE;
        }
      if (!walk_value (r, depth + 1, error))
        return FALSE;
    }
}

static gboolean
walk_value (LtJsonReader *r,
            guint         depth,
            GError      **error)
{
  char c = _lt_json_reader_peek (r);
  const char *kind = _lt_json_reader_kind (r);

  FUZZ_CHECK (kind != NULL);
  if (depth > MAX_DEPTH)
    return _lt_json_reader_fail (r, error, "too deep");
  switch (c)
    {
    case '{': case '[':
      FUZZ_CHECK (strcmp (kind, c == '{' ? "an object" : "an array") == 0);
      return walk_container (r, c, depth, error);
    case '"':
      FUZZ_CHECK (strcmp (kind, "a string") == 0);
      return walk_string (r, error);
    case 't': case 'f': case 'n':
      return walk_literal (r, error);
    case '\0':
      return _lt_json_reader_fail (r, error, "unexpected end");
    default:
      if (c == '-' || g_ascii_isdigit (c))
        {
          FUZZ_CHECK (strcmp (kind, "a number") == 0);
          return walk_number (r, error);
        }
      FUZZ_CHECK (strcmp (kind, "not a JSON value") == 0);
      return _lt_json_reader_fail (r, error, "not a value");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  LtJsonReader r;
  gboolean ok;

  fuzz_init (data, size);
  if (number_re == NULL)
    number_re = g_regex_new ("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$",
                             G_REGEX_OPTIMIZE, 0, NULL);

  ok = _lt_json_reader_init (&r, (const char *) data, size, 8, &error);
  FUZZ_CHECK_RESULT (ok, error, NULL);
  FUZZ_CHECK (ok == g_utf8_validate_len ((const char *) data, size, NULL));
  if (!ok)
    return 0;
  ok = walk_value (&r, 0, &error) && _lt_json_reader_end (&r, &error);
  FUZZ_CHECK_RESULT (ok, error, NULL);
  FUZZ_CHECK (r.p >= r.start && r.p <= r.end);
  if (ok)
    FUZZ_CHECK (r.p == r.end);
  else
    FUZZ_CHECK (g_str_has_prefix (error->message, "invalid JSON at file byte "));
  return 0;
}
