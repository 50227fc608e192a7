/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-json-private.h"
#include "core/lt-error.h"

#define MAX_DEPTH 64

struct _LtJsonDoc
{
  GPtrArray *allocs;   /* everything the values point to */
  LtJsonValue *root;
};

typedef struct
{
  const char *p;
  const char *start;
  const char *end;
  LtJsonDoc *doc;
  GError **error;
} Parser;

static gpointer
arena (Parser *ps, gsize size)
{
  gpointer m = g_malloc0 (size);

  g_ptr_array_add (ps->doc->allocs, m);
  return m;
}

static gboolean
fail (Parser     *ps,
      const char *what)
{
  g_set_error (ps->error, LT_ERROR, LT_ERROR_FORMAT,
               "invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (ps->p - ps->start), what);
  return FALSE;
}

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static LtJsonValue *parse_value (Parser *ps, guint depth);

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

static char *
parse_string (Parser *ps)
{
  GString *s;

  if (ps->p >= ps->end || *ps->p != '"')
    {
      fail (ps, "expected a string");
      return NULL;
    }
  ps->p++;
  s = g_string_new (NULL);
  while (TRUE)
    {
      unsigned char c;

      if (ps->p >= ps->end)
        {
          g_string_free (s, TRUE);
          fail (ps, "unterminated string");
          return NULL;
        }
      c = (unsigned char) *ps->p;
      if (c == '"')
        {
          ps->p++;
          break;
        }
      if (c < 0x20)
        {
          g_string_free (s, TRUE);
          fail (ps, "control character in a string");
          return NULL;
        }
      if (c == '\\')
        {
          char e;

          if (ps->p + 1 >= ps->end)
            {
              g_string_free (s, TRUE);
              fail (ps, "unterminated escape");
              return NULL;
            }
          e = ps->p[1];
          ps->p += 2;
          switch (e)
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

                if (ps->end - ps->p < 4 || (u = hex4 (ps->p)) < 0)
                  {
                    g_string_free (s, TRUE);
                    fail (ps, "bad \\u escape");
                    return NULL;
                  }
                ps->p += 4;
                ch = (gunichar) u;
                if (u >= 0xD800 && u <= 0xDBFF)
                  {
                    if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                        (lo = hex4 (ps->p + 2)) < 0xDC00 || lo > 0xDFFF)
                      {
                        g_string_free (s, TRUE);
                        fail (ps, "unpaired surrogate in a \\u escape");
                        return NULL;
                      }
                    ps->p += 6;
                    ch = 0x10000 + (((gunichar) u - 0xD800) << 10) + ((gunichar) lo - 0xDC00);
                  }
                else if (u >= 0xDC00 && u <= 0xDFFF)
                  {
                    g_string_free (s, TRUE);
                    fail (ps, "unpaired surrogate in a \\u escape");
                    return NULL;
                  }
                if (ch == 0)
                  {
                    g_string_free (s, TRUE);
                    fail (ps, "NUL character in a string");
                    return NULL;
                  }
                g_string_append_unichar (s, ch);
              }
              break;
            default:
              g_string_free (s, TRUE);
              fail (ps, "unknown escape");
              return NULL;
            }
          continue;
        }
      g_string_append_c (s, (char) c);
      ps->p++;
    }
  {
    char *r = arena (ps, s->len + 1);
    memcpy (r, s->str, s->len);
    g_string_free (s, TRUE);
    return r;
  }
}

static gboolean
parse_number (Parser      *ps,
              LtJsonValue *v)
{
  const char *b = ps->p;
  gboolean neg = FALSE, frac = FALSE;
  guint64 acc = 0;
  gboolean overflow = FALSE;
  char buf[64];

  if (ps->p < ps->end && *ps->p == '-')
    {
      neg = TRUE;
      ps->p++;
    }
  if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
    return fail (ps, "expected a digit");
  if (*ps->p == '0' && ps->p + 1 < ps->end && g_ascii_isdigit (ps->p[1]))
    return fail (ps, "leading zero in a number");
  while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
    {
      guint d = (guint) (*ps->p - '0');

      if (acc > (G_MAXUINT64 - d) / 10)
        overflow = TRUE;
      else
        acc = acc * 10 + d;
      ps->p++;
    }
  if (ps->p < ps->end && *ps->p == '.')
    {
      frac = TRUE;
      ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return fail (ps, "expected a digit after '.'");
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      frac = TRUE;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
        return fail (ps, "expected a digit in an exponent");
      while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  v->kind = LT_JSON_NUMBER;
  v->is_integer = !frac;
  if (!frac)
    {
      if (overflow || acc > (guint64) G_MAXINT64 + (neg ? 1 : 0))
        v->integer_overflow = TRUE;
      else
        v->integer = neg ? (gint64) (0 - acc) : (gint64) acc;
    }
  if ((gsize) (ps->p - b) < sizeof buf)
    {
      memcpy (buf, b, ps->p - b);
      buf[ps->p - b] = '\0';
      v->number = g_ascii_strtod (buf, NULL);
    }
  else
    v->number = neg ? -1e308 : 1e308;
  return TRUE;
}

static gboolean
match (Parser *ps, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (ps->end - ps->p) < n || memcmp (ps->p, word, n) != 0)
    return FALSE;
  ps->p += n;
  return TRUE;
}

static LtJsonValue *
parse_value (Parser *ps,
             guint   depth)
{
  LtJsonValue *v;

  if (depth > MAX_DEPTH)
    {
      fail (ps, "nested too deeply");
      return NULL;
    }
  skip_ws (ps);
  if (ps->p >= ps->end)
    {
      fail (ps, "unexpected end");
      return NULL;
    }
  v = arena (ps, sizeof *v);
  v->offset = ps->p - ps->start;
  switch (*ps->p)
    {
    case '{':
    case '[':
      {
        gboolean obj = *ps->p == '{';
        char close = obj ? '}' : ']';
        g_autoptr(GPtrArray) items = g_ptr_array_new ();
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();

        ps->p++;
        skip_ws (ps);
        if (ps->p < ps->end && *ps->p == close)
          ps->p++;
        else
          while (TRUE)
            {
              LtJsonValue *item;

              skip_ws (ps);
              if (obj)
                {
                  char *key = parse_string (ps);

                  if (key == NULL)
                    return NULL;
                  for (guint i = 0; i < keys->len; i++)
                    if (strcmp (g_ptr_array_index (keys, i), key) == 0)
                      {
                        g_set_error (ps->error, LT_ERROR, LT_ERROR_FORMAT,
                                     "invalid JSON at byte %" G_GSIZE_FORMAT
                                     ": the key \"%s\" appears twice",
                                     (gsize) (ps->p - ps->start), key);
                        return NULL;
                      }
                  g_ptr_array_add (keys, key);
                  skip_ws (ps);
                  if (ps->p >= ps->end || *ps->p != ':')
                    {
                      fail (ps, "expected ':'");
                      return NULL;
                    }
                  ps->p++;
                }
              item = parse_value (ps, depth + 1);
              if (item == NULL)
                return NULL;
              g_ptr_array_add (items, item);
              skip_ws (ps);
              if (ps->p < ps->end && *ps->p == ',')
                {
                  ps->p++;
                  continue;
                }
              if (ps->p < ps->end && *ps->p == close)
                {
                  ps->p++;
                  break;
                }
              fail (ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
              return NULL;
            }
        v->kind = obj ? LT_JSON_OBJECT : LT_JSON_ARRAY;
        v->n_items = items->len;
        v->items = arena (ps, sizeof (gpointer) * MAX (items->len, 1));
        memcpy (v->items, items->pdata, sizeof (gpointer) * items->len);
        if (obj)
          {
            v->keys = arena (ps, sizeof (gpointer) * MAX (keys->len, 1));
            memcpy (v->keys, keys->pdata, sizeof (gpointer) * keys->len);
          }
        return v;
      }
    case '"':
      v->kind = LT_JSON_STRING;
      v->string = parse_string (ps);
      return v->string ? v : NULL;
    case 't':
      if (!match (ps, "true"))
        break;
      v->kind = LT_JSON_BOOL;
      v->boolean = TRUE;
      return v;
    case 'f':
      if (!match (ps, "false"))
        break;
      v->kind = LT_JSON_BOOL;
      return v;
    case 'n':
      if (!match (ps, "null"))
        break;
      v->kind = LT_JSON_NULL;
      return v;
    default:
      if (*ps->p == '-' || g_ascii_isdigit (*ps->p))
        return parse_number (ps, v) ? v : NULL;
      break;
    }
  fail (ps, "unexpected character");
  return NULL;
}

LtJsonDoc *
_lt_json_parse (const char *text,
                gsize       length,
                GError    **error)
{
  g_autoptr(LtJsonDoc) doc = g_new0 (LtJsonDoc, 1);
  const char *bad;
  Parser ps = { text, text, text + length, doc, error };

  doc->allocs = g_ptr_array_new_with_free_func (g_free);
  if (!g_utf8_validate_len (text, length, &bad))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "the JSON text is not valid UTF-8 (byte %" G_GSIZE_FORMAT ")",
                   (gsize) (bad - text));
      return NULL;
    }
  doc->root = parse_value (&ps, 0);
  if (doc->root == NULL)
    return NULL;
  skip_ws (&ps);
  if (ps.p != ps.end)
    {
      fail (&ps, "trailing characters after the JSON value");
      return NULL;
    }
  return g_steal_pointer (&doc);
}

LtJsonValue *
_lt_json_doc_root (LtJsonDoc *doc)
{
  return doc->root;
}

void
_lt_json_doc_free (LtJsonDoc *doc)
{
  if (doc == NULL)
    return;
  g_clear_pointer (&doc->allocs, g_ptr_array_unref);
  g_free (doc);
}

LtJsonValue *
_lt_json_object_get (LtJsonValue *object,
                     const char  *key)
{
  if (object == NULL || object->kind != LT_JSON_OBJECT)
    return NULL;
  for (gsize i = 0; i < object->n_items; i++)
    if (strcmp (object->keys[i], key) == 0)
      return object->items[i];
  return NULL;
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
