/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small strict JSON reader for file headers (safetensors): UTF-8 checked,
 * depth-limited, duplicate keys reported, integers kept exact. Values point
 * into one arena freed with the document.
 */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LT_JSON_NULL,
  LT_JSON_BOOL,
  LT_JSON_NUMBER,
  LT_JSON_STRING,
  LT_JSON_ARRAY,
  LT_JSON_OBJECT,
} LtJsonKind;

typedef struct _LtJsonValue LtJsonValue;

struct _LtJsonValue
{
  LtJsonKind kind;
  gsize offset;              /* byte offset in the text, for messages */
  gboolean boolean;
  gboolean is_integer;       /* NUMBER: written without fraction or exponent */
  gint64 integer;            /* NUMBER: exact when is_integer and it fits */
  gboolean integer_overflow;
  double number;
  char *string;              /* STRING: NUL-terminated UTF-8 */
  gsize n_items;             /* ARRAY, OBJECT */
  LtJsonValue **items;       /* ARRAY: values; OBJECT: values */
  char **keys;               /* OBJECT: keys, in file order */
};

typedef struct _LtJsonDoc LtJsonDoc;

LtJsonDoc   *_lt_json_parse      (const char  *text,
                                  gsize        length,
                                  GError     **error);
LtJsonValue *_lt_json_doc_root   (LtJsonDoc   *doc);
void         _lt_json_doc_free   (LtJsonDoc   *doc);
LtJsonValue *_lt_json_object_get (LtJsonValue *object,
                                  const char  *key);
/* Appends @s as a JSON string literal, escaped as serde_json does. */
void         _lt_json_append_string (GString    *out,
                                     const char *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtJsonDoc, _lt_json_doc_free)

G_END_DECLS
