/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small strict JSON reader for file headers (safetensors). It builds no
 * tree: the caller pulls tokens in the order its schema expects, so reading
 * a header allocates no more than the strings the caller keeps, and a value
 * of the wrong kind is rejected at its first byte. The text is checked to be
 * UTF-8 first; string escapes, numbers and separators follow RFC 8259
 * exactly. Errors are LT_ERROR_FORMAT, "invalid JSON at file byte N: ...",
 * where N counts from the start of the file (the reader's @base).
 */

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  gsize base;            /* file offset of @start, for messages */
} LtJsonReader;

typedef struct
{
  gboolean is_integer;   /* written without fraction or exponent */
  gboolean negative;
  gboolean overflow;     /* an integer whose magnitude exceeds 64 bits */
  guint64 magnitude;     /* when is_integer and !overflow */
} LtJsonNumber;

gboolean     _lt_json_reader_init   (LtJsonReader *r,
                                     const char   *text,
                                     gsize         length,
                                     gsize         base,
                                     GError      **error);
/* Skips whitespace; returns the next byte, or '\0' at the end. */
char         _lt_json_reader_peek   (LtJsonReader *r);
/* The file offset of the reader's position. */
gsize        _lt_json_reader_offset (LtJsonReader *r);
/* What the value at the position is, for messages: "an object", ... */
const char  *_lt_json_reader_kind   (LtJsonReader *r);
gboolean     _lt_json_reader_fail   (LtJsonReader *r,
                                     GError      **error,
                                     const char   *what);
/* Skips whitespace and consumes @c, or fails. */
gboolean     _lt_json_reader_expect (LtJsonReader *r,
                                     char          c,
                                     GError      **error);
/* Steps through an object's members or an array's items after the opening
 * bracket: sets @more to whether another one follows (consuming the ',' or
 * the closing @close). @first starts TRUE. */
gboolean     _lt_json_reader_next   (LtJsonReader *r,
                                     char          close,
                                     gboolean     *first,
                                     gboolean     *more,
                                     GError      **error);
/* Reads a string literal (no NUL characters) as newly allocated UTF-8. */
char        *_lt_json_reader_string (LtJsonReader *r,
                                     GError      **error);
gboolean     _lt_json_reader_number (LtJsonReader *r,
                                     LtJsonNumber *number,
                                     GError      **error);
/* Succeeds when only whitespace is left. */
gboolean     _lt_json_reader_end    (LtJsonReader *r,
                                     GError      **error);

/* Appends @s as a JSON string literal, escaped as serde_json does. */
void         _lt_json_append_string (GString    *out,
                                     const char *s);

G_END_DECLS
