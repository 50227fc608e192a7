/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-json-private.h"
#include "core/lt-error.h"

static gsize
position (LtJsonReader *r)
{
  return r->base + (gsize) (r->p - r->start);
}

static void
skip_ws (LtJsonReader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

gboolean
_lt_json_reader_init (LtJsonReader *r,
                      const char   *text,
                      gsize         length,
                      gsize         base,
                      GError      **error)
{
  const char *bad;

  r->start = r->p = text;
  r->end = text + length;
  r->base = base;
  /* g_utf8_validate_len() also refuses NUL bytes, which JSON text cannot
   * hold outside strings and strings hold only escaped. */
  if (!g_utf8_validate_len (text, length, &bad))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "the JSON text is not valid UTF-8 (or holds a NUL byte) at file byte %" G_GSIZE_FORMAT,
                   base + (gsize) (bad - text));
      return FALSE;
    }
  return TRUE;
}

char
_lt_json_reader_peek (LtJsonReader *r)
{
  skip_ws (r);
  return r->p < r->end ? *r->p : '\0';
}

gsize
_lt_json_reader_offset (LtJsonReader *r)
{
  return position (r);
}

const char *
_lt_json_reader_kind (LtJsonReader *r)
{
  switch (_lt_json_reader_peek (r))
    {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't': case 'f': return "a boolean";
    case 'n': return "null";
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return "a number";
    default: return "not a JSON value";
    }
}

gboolean
_lt_json_reader_fail (LtJsonReader *r,
                      GError      **error,
                      const char   *what)
{
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
               "invalid JSON at file byte %" G_GSIZE_FORMAT ": %s", position (r), what);
  return FALSE;
}

gboolean
_lt_json_reader_expect (LtJsonReader *r,
                        char          c,
                        GError      **error)
{
  char what[32];

  if (_lt_json_reader_peek (r) == c)
    {
      r->p++;
      return TRUE;
    }
  g_snprintf (what, sizeof what, "expected '%c'", c);
  return _lt_json_reader_fail (r, error, r->p < r->end ? what : "unexpected end");
}

gboolean
_lt_json_reader_next (LtJsonReader *r,
                      char          close,
                      gboolean     *first,
                      gboolean     *more,
                      GError      **error)
{
  char c = _lt_json_reader_peek (r);

  if (*first)
    {
      *first = FALSE;
      if (c == close)
        {
          r->p++;
          *more = FALSE;
        }
      else
        *more = TRUE;
      return TRUE;
    }
  if (c == close)
    {
      r->p++;
      *more = FALSE;
      return TRUE;
    }
  if (c != ',')
    return _lt_json_reader_fail (r, error, r->p >= r->end ? "unexpected end" :
                                 close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  r->p++;
  if (_lt_json_reader_peek (r) == close)
    return _lt_json_reader_fail (r, error, "a trailing ',' before the closing bracket");
  *more = TRUE;
  return TRUE;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int c = p[i], d;

      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return -1;
      v = v * 16 + d;
    }
  return v;
}

char *
_lt_json_reader_string (LtJsonReader *r,
                        GError      **error)
{
  g_autoptr(GString) s = NULL;

  if (_lt_json_reader_peek (r) != '"')
    {
      _lt_json_reader_fail (r, error, r->p >= r->end ? "unexpected end" : "expected a string");
      return NULL;
    }
  r->p++;
  s = g_string_new (NULL);
  while (TRUE)
    {
      unsigned char c;
      const char *esc;

      if (r->p >= r->end)
        {
          _lt_json_reader_fail (r, error, "unterminated string");
          return NULL;
        }
      c = (unsigned char) *r->p;
      if (c == '"')
        {
          r->p++;
          break;
        }
      if (c < 0x20)
        {
          _lt_json_reader_fail (r, error, "control character in a string");
          return NULL;
        }
      if (c != '\\')
        {
          /* Copy a run of plain bytes at once. */
          const char *b = r->p;

          while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char) *r->p >= 0x20)
            r->p++;
          g_string_append_len (s, b, r->p - b);
          continue;
        }
      esc = r->p;
      if (r->p + 1 >= r->end)
        {
          _lt_json_reader_fail (r, error, "unterminated escape");
          return NULL;
        }
      r->p += 2;
      switch (esc[1])
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            int u, lo;
            gunichar ch;

            if (r->end - r->p < 4 || (u = hex4 (r->p)) < 0)
              {
                r->p = esc;
                _lt_json_reader_fail (r, error, "bad \\u escape");
                return NULL;
              }
            r->p += 4;
            ch = (gunichar) u;
            if (u >= 0xD800 && u <= 0xDBFF)
              {
                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
                    (lo = hex4 (r->p + 2)) < 0xDC00 || lo > 0xDFFF)
                  {
                    r->p = esc;
                    _lt_json_reader_fail (r, error, "unpaired surrogate in a \\u escape");
                    return NULL;
                  }
                r->p += 6;
                ch = 0x10000 + (((gunichar) u - 0xD800) << 10) + ((gunichar) lo - 0xDC00);
              }
            else if (u >= 0xDC00 && u <= 0xDFFF)
              {
                r->p = esc;
                _lt_json_reader_fail (r, error, "unpaired surrogate in a \\u escape");
                return NULL;
              }
            if (ch == 0)
              {
                r->p = esc;
                _lt_json_reader_fail (r, error, "NUL character in a string");
                return NULL;
              }
            g_string_append_unichar (s, ch);
          }
          break;
        default:
          r->p = esc;
          _lt_json_reader_fail (r, error, "unknown escape");
          return NULL;
        }
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
_lt_json_reader_number (LtJsonReader *r,
                        LtJsonNumber *number,
                        GError      **error)
{
  guint64 acc = 0;

  memset (number, 0, sizeof *number);
  _lt_json_reader_peek (r);
  if (r->p < r->end && *r->p == '-')
    {
      number->negative = TRUE;
      r->p++;
    }
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    return _lt_json_reader_fail (r, error, "expected a digit");
  if (*r->p == '0' && r->p + 1 < r->end && g_ascii_isdigit (r->p[1]))
    return _lt_json_reader_fail (r, error, "leading zero in a number");
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    {
      guint d = (guint) (*r->p - '0');

      if (acc > (G_MAXUINT64 - d) / 10)
        number->overflow = TRUE;
      else
        acc = acc * 10 + d;
      r->p++;
    }
  number->is_integer = TRUE;
  if (r->p < r->end && *r->p == '.')
    {
      number->is_integer = FALSE;
      r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        return _lt_json_reader_fail (r, error, "expected a digit after '.'");
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      number->is_integer = FALSE;
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        return _lt_json_reader_fail (r, error, "expected a digit in an exponent");
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  number->magnitude = number->overflow ? 0 : acc;
  return TRUE;
}

gboolean
_lt_json_reader_end (LtJsonReader *r,
                     GError      **error)
{
  if (_lt_json_reader_peek (r) != '\0')
    return _lt_json_reader_fail (r, error, "trailing characters after the JSON value");
  return TRUE;
}

void
_lt_json_append_string (GString    *out,
                        const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}
