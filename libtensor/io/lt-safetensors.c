/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lt-safetensors-private.h"
#include "lt-json-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

/*
 * The safetensors format (https://github.com/huggingface/safetensors): its
 * dtypes, and the reader behind lt_state_dict_deserialize() and
 * lt_state_dict_load(), which checks every size and offset against the
 * data before it allocates anything.
 */

#define MAX_HEADER G_GUINT64_CONSTANT (100000000)

/* The dtypes */

static const LtSafetensorsDtype st_dtypes[] = {
  { "BOOL", 0, 1, LT_DTYPE_BOOL },
  { "U8", 1, 1, LT_DTYPE_UINT8 },
  { "I8", 2, 1, LT_DTYPE_INT8 },
  { "I16", 5, 2, LT_DTYPE_INT16 },
  { "U16", 6, 2, -1 },
  { "F16", 7, 2, -1 },
  { "BF16", 8, 2, -1 },
  { "I32", 9, 4, LT_DTYPE_INT32 },
  { "U32", 10, 4, -1 },
  { "F32", 11, 4, LT_DTYPE_FLOAT32 },
  { "F64", 12, 8, LT_DTYPE_FLOAT64 },
  { "I64", 13, 8, LT_DTYPE_INT64 },
  { "U64", 14, 8, -1 },
};

static const LtSafetensorsDtype *
st_dtype_by_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (st_dtypes); i++)
    if (strcmp (st_dtypes[i].name, name) == 0)
      return &st_dtypes[i];
  return NULL;
}

const LtSafetensorsDtype *
_lt_safetensors_dtype_of (LtDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (st_dtypes); i++)
    if (st_dtypes[i].dtype == (int) dtype)
      return &st_dtypes[i];
  return NULL;
}

/* The reader
 *
 * The header is read by a schema-directed pull parser: no JSON tree is
 * built, a value of the wrong kind is refused at its first byte, and the
 * only memory kept is one Info per tensor and the metadata strings, so a
 * hostile header cannot make us allocate more than a small multiple of its
 * own size (an Info takes about three times the shortest entry's text). The
 * data is read (lt_state_dict_load()) or wrapped only after every tensor's
 * dtype, shape and offsets are checked against the data's length.
 */

typedef struct
{
  char *name;
  const LtSafetensorsDtype *st;
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  guint64 begin, end;
  gsize offset;           /* file offset of the entry, for messages */
} Info;

struct _LtSafetensorsHeader
{
  /* Owned */
  GArray *infos;          /* Info, header order */
  GHashTable *names;      /* the names in @infos (borrowed) */
  LtStateDict *dict;      /* receives the metadata */

  guint64 data_start;     /* file offset of the data: 8 + N */
};

static void
info_clear (gpointer data)
{
  g_free (((Info *) data)->name);
}

static LtSafetensorsHeader *
header_new (guint64 header_len)
{
  LtSafetensorsHeader *h = g_new0 (LtSafetensorsHeader, 1);

  h->infos = g_array_new (FALSE, TRUE, sizeof (Info));
  g_array_set_clear_func (h->infos, info_clear);
  h->names = g_hash_table_new (g_str_hash, g_str_equal);
  h->dict = lt_state_dict_new ();
  h->data_start = 8 + header_len;
  return h;
}

void
_lt_safetensors_header_free (LtSafetensorsHeader *h)
{
  g_clear_pointer (&h->names, g_hash_table_unref);
  g_clear_pointer (&h->infos, g_array_unref);
  g_clear_object (&h->dict);
  g_free (h);
}

/* A name as shown in a message: control characters, quotes and
 * backslashes escaped, and cut when long. */
static char *
show (const char *name)
{
  GString *s = g_string_new (NULL);
  glong n = 0;

  for (const char *p = name; *p; p = g_utf8_next_char (p), n++)
    {
      unsigned char c = (unsigned char) *p;

      if (n == 77)
        {
          g_string_append (s, "...");
          break;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else if (c == '\'' || c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else
        g_string_append_len (s, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (s, FALSE);
}

static gboolean
bad (GError    **error,
     const char *source,
     const char *fmt,
     ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad (GError    **error,
     const char *source,
     const char *fmt,
     ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: %s", source, msg);
  return FALSE;
}

/* A header error: "<what> (file byte N)" (the file's name is added later). */
static gboolean
bad_at (GError    **error,
        gsize       offset,
        const char *fmt,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_at (GError    **error,
        gsize       offset,
        const char *fmt,
        ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s (file byte %" G_GSIZE_FORMAT ")", msg, offset);
  return FALSE;
}

/* A tensor's error: "tensor 'name': <what> (file byte N)". */
static gboolean
bad_tensor (GError    **error,
            const char *name,
            gsize       offset,
            const char *fmt,
            ...) G_GNUC_PRINTF (4, 5);

static gboolean
bad_tensor (GError    **error,
            const char *name,
            gsize       offset,
            const char *fmt,
            ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  g_autofree char *shown = show (name);

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "tensor '%s': %s (file byte %" G_GSIZE_FORMAT ")",
               shown, msg, offset);
  return FALSE;
}

/* Where the schema wants another kind of value: sets a JSON error and
 * returns TRUE when the text ends there or holds no JSON value at all; the
 * caller reports the schema error otherwise. */
static gboolean
not_a_value (LtJsonReader *r,
             GError      **error)
{
  char c = _lt_json_reader_peek (r);

  if (c == '\0')
    return !_lt_json_reader_fail (r, error, "unexpected end");
  if (strchr ("{[\"tfn-0123456789", c) == NULL)
    return !_lt_json_reader_fail (r, error, "unexpected character");
  return FALSE;
}

/* Reads a non-negative integer up to G_MAXINT64; @what names it. */
static gboolean
read_count (LtJsonReader *r,
            const char   *name,
            const char   *what,
            guint64      *out,
            GError      **error)
{
  gsize at = _lt_json_reader_offset (r);
  char c = _lt_json_reader_peek (r);
  LtJsonNumber num;

  if (c != '-' && !g_ascii_isdigit (c))
    return !not_a_value (r, error) &&
           bad_tensor (error, name, at, "%s is %s, not an integer", what, _lt_json_reader_kind (r));
  if (!_lt_json_reader_number (r, &num, error))
    return FALSE;
  if (!num.is_integer)
    return bad_tensor (error, name, at, "%s is not an integer", what);
  if (num.negative && (num.overflow || num.magnitude != 0))
    return bad_tensor (error, name, at, "%s is negative", what);
  if (num.overflow || num.magnitude > (guint64) G_MAXINT64)
    return bad_tensor (error, name, at, "%s is too large", what);
  *out = num.magnitude;
  return TRUE;
}

enum { FIELD_DTYPE = 1, FIELD_SHAPE = 2, FIELD_OFFSETS = 4 };

static gboolean
parse_entry (LtJsonReader *r,
             Info         *info,
             GError      **error)
{
  const char *name = info->name;
  gboolean first = TRUE, more;
  guint seen = 0;
  guint64 numel = 1, span = 1, nbytes, v = 0;
  gboolean numel_overflow = FALSE, span_overflow = FALSE;

  info->offset = _lt_json_reader_offset (r);
  if (_lt_json_reader_peek (r) != '{')
    return !not_a_value (r, error) &&
           bad_tensor (error, name, info->offset, "its header entry is %s, not an object",
                       _lt_json_reader_kind (r));
  if (!_lt_json_reader_expect (r, '{', error))
    return FALSE;
  while (TRUE)
    {
      g_autofree char *key = NULL;
      gsize key_at, at;
      guint field;

      if (!_lt_json_reader_next (r, '}', &first, &more, error))
        return FALSE;
      if (!more)
        break;
      key_at = _lt_json_reader_offset (r);
      key = _lt_json_reader_string (r, error);
      if (key == NULL)
        return FALSE;
      field = strcmp (key, "dtype") == 0 ? FIELD_DTYPE :
              strcmp (key, "shape") == 0 ? FIELD_SHAPE :
              strcmp (key, "data_offsets") == 0 ? FIELD_OFFSETS : 0;
      if (field == 0)
        {
          g_autofree char *k = show (key);
          return bad_tensor (error, name, key_at, "unknown field \"%s\"", k);
        }
      if (seen & field)
        return bad_tensor (error, name, key_at, "the field \"%s\" appears twice", key);
      seen |= field;
      if (!_lt_json_reader_expect (r, ':', error))
        return FALSE;
      at = _lt_json_reader_offset (r);

      if (field == FIELD_DTYPE)
        {
          g_autofree char *dt = NULL;

          if (_lt_json_reader_peek (r) != '"')
            return !not_a_value (r, error) &&
                   bad_tensor (error, name, at, "dtype is %s, not a string",
                               _lt_json_reader_kind (r));
          dt = _lt_json_reader_string (r, error);
          if (dt == NULL)
            return FALSE;
          info->st = st_dtype_by_name (dt);
          if (info->st == NULL)
            {
              g_autofree char *d = show (dt);
              return bad_tensor (error, name, at, "unknown dtype \"%s\"", d);
            }
        }
      else
        {
          gboolean shape = field == FIELD_SHAPE;
          gboolean ifirst = TRUE, imore;
          guint k = 0;

          if (_lt_json_reader_peek (r) != '[')
            return !not_a_value (r, error) &&
                   bad_tensor (error, name, at, "%s is %s, not an array",
                               shape ? "shape" : "data_offsets", _lt_json_reader_kind (r));
          if (!_lt_json_reader_expect (r, '[', error))
            return FALSE;
          while (TRUE)
            {
              char what[64];

              if (!_lt_json_reader_next (r, ']', &ifirst, &imore, error))
                return FALSE;
              if (!imore)
                break;
              if (shape && k == LT_MAX_DIMS)
                return bad_tensor (error, name, at, "the shape has more than %d dimensions, "
                                   "the most a tensor can have", LT_MAX_DIMS);
              if (!shape && k == 2)
                return bad_tensor (error, name, at, "data_offsets has more than 2 entries");
              if (shape)
                g_snprintf (what, sizeof what, "dimension %u of the shape", k);
              else
                g_snprintf (what, sizeof what, "data_offsets[%u]", k);
              if (!read_count (r, name, what, &v, error))
                return FALSE;
              if (shape)
                info->shape[k] = (gint64) v;
              else if (k == 0)
                info->begin = v;
              else
                info->end = v;
              k++;
            }
          if (shape)
            info->ndim = k;
          else if (k != 2)
            return bad_tensor (error, name, at, "data_offsets must be [begin, end] but has %u "
                               "entr%s", k, k == 1 ? "y" : "ies");
        }
    }
  if (seen != (FIELD_DTYPE | FIELD_SHAPE | FIELD_OFFSETS))
    return bad_tensor (error, name, info->offset, "the entry lacks %s",
                       !(seen & FIELD_DTYPE) ? "dtype" :
                       !(seen & FIELD_SHAPE) ? "shape" : "data_offsets");

  /* Sizes, with overflow checks: the element count, the span of the
   * strides (the product of the dimensions counting zeros as ones, which
   * must fit an index) and the byte count. */
  for (guint d = 0; d < info->ndim; d++)
    {
      guint64 s = (guint64) info->shape[d];

      if (!numel_overflow && __builtin_mul_overflow (numel, s, &numel))
        numel_overflow = TRUE;
      if (!span_overflow && (__builtin_mul_overflow (span, MAX (s, 1), &span) ||
                             span > (guint64) G_MAXINT64))
        span_overflow = TRUE;
    }
  if (numel_overflow || span_overflow ||
      __builtin_mul_overflow (numel, (guint64) info->st->size, &nbytes))
    {
      g_autofree char *s = _lt_shape_to_string (info->shape, info->ndim);
      return bad_tensor (error, name, info->offset, "the %s shape %s overflows 64 bits%s",
                         info->st->name, s, numel_overflow || span_overflow ? "" : " in bytes");
    }
  if (info->end < info->begin)
    return bad_tensor (error, name, info->offset, "data_offsets [%" G_GUINT64_FORMAT ", %"
                       G_GUINT64_FORMAT "] end before they begin", info->begin, info->end);
  if (info->end - info->begin != nbytes)
    {
      g_autofree char *s = _lt_shape_to_string (info->shape, info->ndim);
      return bad_tensor (error, name, info->offset, "the %s shape %s needs %" G_GUINT64_FORMAT
                         " bytes but data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                         "] hold %" G_GUINT64_FORMAT, info->st->name, s, nbytes, info->begin,
                         info->end, info->end - info->begin);
    }
  return TRUE;
}

static gboolean
parse_metadata (LtJsonReader *r,
                LtStateDict  *dict,
                GError      **error)
{
  gsize at = _lt_json_reader_offset (r);
  gboolean first = TRUE, more;

  if (_lt_json_reader_peek (r) != '{')
    return !not_a_value (r, error) &&
           bad_at (error, at, "__metadata__ is %s, not an object", _lt_json_reader_kind (r));
  if (!_lt_json_reader_expect (r, '{', error))
    return FALSE;
  while (TRUE)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      gsize key_at, value_at;

      if (!_lt_json_reader_next (r, '}', &first, &more, error))
        return FALSE;
      if (!more)
        return TRUE;
      key_at = _lt_json_reader_offset (r);
      key = _lt_json_reader_string (r, error);
      if (key == NULL)
        return FALSE;
      if (lt_state_dict_get_metadata (dict, key) != NULL)
        {
          g_autofree char *k = show (key);
          return bad_at (error, key_at, "__metadata__: the key \"%s\" appears twice", k);
        }
      if (!_lt_json_reader_expect (r, ':', error))
        return FALSE;
      value_at = _lt_json_reader_offset (r);
      if (_lt_json_reader_peek (r) != '"')
        {
          g_autofree char *k = show (key);
          return !not_a_value (r, error) &&
                 bad_at (error, value_at, "__metadata__: the value of \"%s\" is %s, not a string",
                         k, _lt_json_reader_kind (r));
        }
      value = _lt_json_reader_string (r, error);
      if (value == NULL)
        return FALSE;
      lt_state_dict_set_metadata (dict, key, value);
    }
}

/* Parses the JSON header (file bytes 8 to 8 + @header_len) into @h. The
 * error does not name the file yet. */
static gboolean
parse_header (const char          *header,
              gsize                header_len,
              LtSafetensorsHeader *h,
              GError             **error)
{
  LtJsonReader r;
  gboolean first = TRUE, more, have_metadata = FALSE;

  if (!_lt_json_reader_init (&r, header, header_len, 8, error))
    return FALSE;
  if (_lt_json_reader_peek (&r) == '\0')
    return bad_at (error, _lt_json_reader_offset (&r), "the header is empty");
  if (_lt_json_reader_peek (&r) != '{')
    return !not_a_value (&r, error) &&
           bad_at (error, _lt_json_reader_offset (&r), "the header is %s, not a JSON object",
                   _lt_json_reader_kind (&r));
  if (!_lt_json_reader_expect (&r, '{', error))
    return FALSE;
  while (TRUE)
    {
      g_autofree char *key = NULL;
      gsize key_at;
      Info *info;

      if (!_lt_json_reader_next (&r, '}', &first, &more, error))
        return FALSE;
      if (!more)
        break;
      key_at = _lt_json_reader_offset (&r);
      key = _lt_json_reader_string (&r, error);
      if (key == NULL)
        return FALSE;
      if (strcmp (key, "__metadata__") == 0)
        {
          if (have_metadata)
            return bad_at (error, key_at, "__metadata__ appears twice");
          have_metadata = TRUE;
          if (!_lt_json_reader_expect (&r, ':', error) || !parse_metadata (&r, h->dict, error))
            return FALSE;
          continue;
        }
      if (g_hash_table_contains (h->names, key))
        return bad_tensor (error, key, key_at, "the name appears twice in the header");
      if (!_lt_json_reader_expect (&r, ':', error))
        return FALSE;
      g_array_set_size (h->infos, h->infos->len + 1);
      info = &g_array_index (h->infos, Info, h->infos->len - 1);
      info->name = g_steal_pointer (&key);
      g_hash_table_add (h->names, info->name);
      if (!parse_entry (&r, info, error))
        return FALSE;
    }
  return _lt_json_reader_end (&r, error);
}

LtSafetensorsHeader *
_lt_safetensors_header_parse (const char *header,
                              gsize       header_len,
                              const char *source,
                              GError    **error)
{
  LtSafetensorsHeader *h = header_new (header_len);

  if (!parse_header (header, header_len, h, error))
    {
      g_prefix_error (error, "%s: ", source);
      _lt_safetensors_header_free (h);
      return NULL;
    }
  return h;
}

static int
cmp_begin (const void *a,
           const void *b)
{
  const Info *x = *(const Info *const *) a, *y = *(const Info *const *) b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

gboolean
_lt_safetensors_header_check_layout (LtSafetensorsHeader *h,
                                     const char          *source,
                                     guint64              data_len,
                                     GError             **error)
{
  guint n = h->infos->len;
  g_autofree Info **sorted = g_new (Info *, MAX (n, 1));
  guint64 pos = 0;
  const Info *prev = NULL;

  for (guint i = 0; i < n; i++)
    sorted[i] = &g_array_index (h->infos, Info, i);
  qsort (sorted, n, sizeof (Info *), cmp_begin);
  for (guint i = 0; i < n; i++)
    {
      const Info *t = sorted[i];
      g_autofree char *name = NULL;

      if (t->begin != pos || t->end > data_len)
        name = show (t->name);
      if (t->begin > pos && prev == NULL)
        return bad (error, source, "tensor '%s' starts at data byte %" G_GUINT64_FORMAT
                    " where the first tensor must start at 0: a gap of %" G_GUINT64_FORMAT
                    " bytes at file byte %" G_GUINT64_FORMAT, name, t->begin, t->begin,
                    h->data_start);
      if (t->begin > pos)
        {
          g_autofree char *pname = show (prev->name);
          return bad (error, source, "tensor '%s' starts at data byte %" G_GUINT64_FORMAT
                      " but tensor '%s' before it ends at data byte %" G_GUINT64_FORMAT
                      ": a gap of %" G_GUINT64_FORMAT " bytes at file byte %" G_GUINT64_FORMAT,
                      name, t->begin, pname, pos, t->begin - pos, h->data_start + pos);
        }
      if (t->begin < pos)
        {
          g_autofree char *pname = show (prev->name);
          return bad (error, source, "tensor '%s' starts at data byte %" G_GUINT64_FORMAT
                      " (file byte %" G_GUINT64_FORMAT "), inside tensor '%s' which ends at "
                      "data byte %" G_GUINT64_FORMAT ": an overlap", name, t->begin,
                      h->data_start + t->begin, pname, pos);
        }
      if (t->end > data_len)
        return bad (error, source, "tensor '%s' ends at data byte %" G_GUINT64_FORMAT
                    " (file byte %" G_GUINT64_FORMAT ") but the file ends at data byte %"
                    G_GUINT64_FORMAT " (file byte %" G_GUINT64_FORMAT "): the data is truncated",
                    name, t->end, h->data_start + t->end, data_len, h->data_start + data_len);
      pos = t->end;
      prev = t;
    }
  if (pos != data_len)
    return bad (error, source, "%" G_GUINT64_FORMAT " bytes of trailing data after the last "
                "tensor, from data byte %" G_GUINT64_FORMAT " (file byte %" G_GUINT64_FORMAT ")",
                data_len - pos, pos, h->data_start + pos);
  return TRUE;
}

float
_lt_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h >> 15) << 31;
  guint32 exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  float f;

  if (exp == 0)
    {
      if (mant == 0)
        bits = sign;
      else
        {
          /* subnormal: normalise */
          exp = 127 - 15 + 1;
          while (!(mant & 0x400))
            {
              mant <<= 1;
              exp--;
            }
          mant &= 0x3ff;
          bits = sign | (exp << 23) | (mant << 13);
        }
    }
  else if (exp == 0x1f)
    bits = sign | 0x7f800000 | (mant << 13);
  else
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  memcpy (&f, &bits, 4);
  return f;
}

/* A tensor over @info's bytes: zero-copy when the dtype is ours and the
 * bytes are aligned, else converted. */
static LtTensor *
make_tensor (const Info   *info,
             GBytes       *bytes,
             const guint8 *data,
             GError      **error)
{
  const guint8 *p = data + info->begin;
  gint64 numel = (gint64) ((info->end - info->begin) / info->st->size);
  LtTensor *t;

  if (info->st->dtype >= 0)
    {
      LtStorage *storage;

      if ((guintptr) p % info->st->size == 0 && numel > 0)
        {
          storage = _lt_storage_new_wrap ((gpointer) p, info->end - info->begin,
                                          (GDestroyNotify) g_bytes_unref, g_bytes_ref (bytes));
          t = _lt_tensor_new_with_storage (storage, info->shape, NULL, info->ndim, 0,
                                           (LtDType) info->st->dtype);
          lt_storage_unref (storage);
          return t;
        }
      t = _lt_tensor_new_empty (info->shape, info->ndim, (LtDType) info->st->dtype,
                                LT_DEVICE_CPU, error);
      if (t && numel > 0)
        memcpy (t->storage->data, p, info->end - info->begin);
      return t;
    }

  if (strcmp (info->st->name, "F16") == 0 || strcmp (info->st->name, "BF16") == 0)
    {
      gboolean bf = info->st->name[0] == 'B';
      float *f;

      t = _lt_tensor_new_empty (info->shape, info->ndim, LT_DTYPE_FLOAT32, LT_DEVICE_CPU, error);
      if (t == NULL)
        return NULL;
      f = t->storage->data;
      for (gint64 i = 0; i < numel; i++)
        {
          guint16 h;

          memcpy (&h, p + 2 * i, 2);
          if (bf)
            {
              guint32 bits = (guint32) h << 16;
              memcpy (&f[i], &bits, 4);
            }
          else
            f[i] = _lt_half_to_float (h);
        }
      return t;
    }
  if (strcmp (info->st->name, "U16") == 0 || strcmp (info->st->name, "U32") == 0)
    {
      gboolean u16 = info->st->size == 2;
      t = _lt_tensor_new_empty (info->shape, info->ndim, u16 ? LT_DTYPE_INT32 : LT_DTYPE_INT64,
                                LT_DEVICE_CPU, error);
      if (t == NULL)
        return NULL;
      for (gint64 i = 0; i < numel; i++)
        {
          if (u16)
            {
              guint16 v;
              memcpy (&v, p + 2 * i, 2);
              ((gint32 *) t->storage->data)[i] = v;
            }
          else
            {
              guint32 v;
              memcpy (&v, p + 4 * i, 4);
              ((gint64 *) t->storage->data)[i] = v;
            }
        }
      return t;
    }
  bad_tensor (error, info->name, info->offset, "dtype %s has no libtensor equivalent",
              info->st->name);
  return NULL;
}

LtStateDict *
_lt_safetensors_header_build (LtSafetensorsHeader *h,
                              const char          *source,
                              GBytes              *data,
                              GError             **error)
{
  const guint8 *p = g_bytes_get_data (data, NULL);

  for (guint i = 0; i < h->infos->len; i++)
    {
      Info *info = &g_array_index (h->infos, Info, i);
      g_autoptr(LtTensor) t = make_tensor (info, data, p, error);

      if (t == NULL)
        {
          g_prefix_error (error, "%s: ", source);
          return NULL;
        }
      lt_state_dict_insert (h->dict, info->name, t);
    }
  return g_steal_pointer (&h->dict);
}

gboolean
_lt_safetensors_check_size (const char *source,
                            guint64     size,
                            GError    **error)
{
  if (size < 8)
    return bad (error, source, "%" G_GUINT64_FORMAT " bytes are too few for a safetensors "
                "header length (8 bytes)", size);
  return TRUE;
}

gboolean
_lt_safetensors_check_header_length (const char *source,
                                     guint64     n,
                                     guint64     available,
                                     GError    **error)
{
  if (n > MAX_HEADER)
    return bad (error, source, "the header length %" G_GUINT64_FORMAT " (file bytes 0 to 7) is "
                "above the limit of %" G_GUINT64_FORMAT " bytes", n, MAX_HEADER);
  if (n > available)
    return bad (error, source, "the header length %" G_GUINT64_FORMAT " (file bytes 0 to 7) runs "
                "past the end of the file: only %" G_GUINT64_FORMAT " bytes follow the length",
                n, available);
  return TRUE;
}
