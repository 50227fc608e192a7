/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "lt-state-dict.h"
#include "lt-json-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "safetensors data is little-endian; this build needs byte swapping that is not written yet"
#endif

/**
 * LtStateDict:
 *
 * An ordered set of named tensors with string metadata: what a model's or
 * an optimizer's state is made of, and what a checkpoint file holds.
 *
 * It reads and writes the safetensors format (a little-endian u64 header
 * length, a JSON header, then the tensors' bytes back to back), so PyTorch
 * users open our files with the safetensors library and we open theirs.
 * lt_state_dict_save() writes atomically: a temporary file in the same
 * folder, fsync, rename; an interrupted save leaves the previous file
 * intact. lt_state_dict_load() checks every size and offset against the file
 * before it allocates anything.
 */

#define MAX_HEADER G_GUINT64_CONSTANT (100000000)

typedef struct
{
  char *name;
  LtTensor *tensor;
} Entry;

struct _LtStateDict
{
  GObject parent_instance;

  /* Owned */
  GArray *entries;          /* Entry, insertion order */
  GHashTable *metadata;     /* char* -> char* */
};

G_DEFINE_FINAL_TYPE (LtStateDict, lt_state_dict, G_TYPE_OBJECT)

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->name);
  g_clear_object (&e->tensor);
}

static void
lt_state_dict_finalize (GObject *object)
{
  LtStateDict *self = LT_STATE_DICT (object);

  g_array_unref (self->entries);
  g_hash_table_unref (self->metadata);
  G_OBJECT_CLASS (lt_state_dict_parent_class)->finalize (object);
}

static void
lt_state_dict_class_init (LtStateDictClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_state_dict_finalize;
}

static void
lt_state_dict_init (LtStateDict *self)
{
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * lt_state_dict_new:
 *
 * Creates an empty state dict.
 *
 * Returns: (transfer full): the state dict
 */
LtStateDict *
lt_state_dict_new (void)
{
  return g_object_new (LT_TYPE_STATE_DICT, NULL);
}

static gint
find (LtStateDict *self,
      const char  *name)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (strcmp (g_array_index (self->entries, Entry, i).name, name) == 0)
      return (gint) i;
  return -1;
}

/**
 * lt_state_dict_insert:
 * @self: a state dict
 * @name: the tensor's name, such as "conv1.weight"
 * @tensor: the tensor (a reference is taken; it is not copied)
 *
 * Adds @tensor under @name, or replaces the tensor of that name in place.
 */
void
lt_state_dict_insert (LtStateDict *self,
                      const char  *name,
                      LtTensor    *tensor)
{
  gint i;

  g_return_if_fail (LT_IS_STATE_DICT (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (LT_IS_TENSOR (tensor));

  i = find (self, name);
  if (i >= 0)
    g_set_object (&g_array_index (self->entries, Entry, i).tensor, tensor);
  else
    {
      Entry e = { g_strdup (name), g_object_ref (tensor) };
      g_array_append_val (self->entries, e);
    }
}

/**
 * lt_state_dict_remove:
 * @self: a state dict
 * @name: a name
 *
 * Removes the tensor called @name.
 *
 * Returns: %TRUE if there was one
 */
gboolean
lt_state_dict_remove (LtStateDict *self,
                      const char  *name)
{
  gint i;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), FALSE);
  i = find (self, name);
  if (i < 0)
    return FALSE;
  g_array_remove_index (self->entries, (guint) i);
  return TRUE;
}

/**
 * lt_state_dict_lookup:
 * @self: a state dict
 * @name: a name
 *
 * Finds the tensor called @name.
 *
 * Returns: (transfer none) (nullable): the tensor, or %NULL
 */
LtTensor *
lt_state_dict_lookup (LtStateDict *self,
                      const char  *name)
{
  gint i;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  i = find (self, name);
  return i < 0 ? NULL : g_array_index (self->entries, Entry, i).tensor;
}

/**
 * lt_state_dict_get_n_tensors:
 * @self: a state dict
 *
 * Counts the tensors.
 *
 * Returns: the number of tensors
 */
guint
lt_state_dict_get_n_tensors (LtStateDict *self)
{
  g_return_val_if_fail (LT_IS_STATE_DICT (self), 0);
  return self->entries->len;
}

/**
 * lt_state_dict_get_name:
 * @self: a state dict
 * @index: a position, below lt_state_dict_get_n_tensors()
 *
 * Gets the name of the tensor at @index (insertion order; for a loaded
 * file, the order of its header).
 *
 * Returns: (transfer none): the name
 */
const char *
lt_state_dict_get_name (LtStateDict *self,
                        guint        index)
{
  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_array_index (self->entries, Entry, index).name;
}

/**
 * lt_state_dict_get_tensor:
 * @self: a state dict
 * @index: a position, below lt_state_dict_get_n_tensors()
 *
 * Gets the tensor at @index.
 *
 * Returns: (transfer none): the tensor
 */
LtTensor *
lt_state_dict_get_tensor (LtStateDict *self,
                          guint        index)
{
  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);
  return g_array_index (self->entries, Entry, index).tensor;
}

/**
 * lt_state_dict_set_metadata:
 * @self: a state dict
 * @key: a key
 * @value: (nullable): its value, or %NULL to remove the key
 *
 * Sets a metadata string, stored in the file's `__metadata__` (epoch,
 * step, library version, ...).
 */
void
lt_state_dict_set_metadata (LtStateDict *self,
                            const char  *key,
                            const char  *value)
{
  g_return_if_fail (LT_IS_STATE_DICT (self));
  g_return_if_fail (key != NULL);
  if (value)
    g_hash_table_insert (self->metadata, g_strdup (key), g_strdup (value));
  else
    g_hash_table_remove (self->metadata, key);
}

/**
 * lt_state_dict_get_metadata:
 * @self: a state dict
 * @key: a key
 *
 * Gets a metadata string.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL
 */
const char *
lt_state_dict_get_metadata (LtStateDict *self,
                            const char  *key)
{
  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  return g_hash_table_lookup (self->metadata, key);
}

static int
cmp_str (const void *a,
         const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/**
 * lt_state_dict_get_metadata_keys:
 * @self: a state dict
 *
 * Lists the metadata keys, sorted.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys
 */
char **
lt_state_dict_get_metadata_keys (LtStateDict *self)
{
  char **keys;
  guint n;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  keys = (char **) g_hash_table_get_keys_as_array (self->metadata, &n);
  qsort (keys, n, sizeof (char *), cmp_str);
  for (guint i = 0; i < n; i++)
    keys[i] = g_strdup (keys[i]);
  return keys;
}

/* safetensors dtypes */

typedef struct
{
  const char *name;
  int rank;            /* the reference writer's order: larger first */
  gsize size;
  int dtype;           /* LtDType, or -1 when read by conversion */
} StDtype;

static const StDtype st_dtypes[] = {
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

static const StDtype *
st_dtype_by_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (st_dtypes); i++)
    if (strcmp (st_dtypes[i].name, name) == 0)
      return &st_dtypes[i];
  return NULL;
}

static const StDtype *
st_dtype_of (LtDType dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (st_dtypes); i++)
    if (st_dtypes[i].dtype == (int) dtype)
      return &st_dtypes[i];
  return NULL;
}

/* Serialisation */

typedef struct
{
  const char *name;
  LtTensor *host;          /* contiguous CPU copy or the tensor itself */
  const StDtype *st;
} Item;

static int
cmp_items (const void *a,
           const void *b)
{
  const Item *x = a, *y = b;

  if (x->st->rank != y->st->rank)
    return y->st->rank - x->st->rank;
  return strcmp (x->name, y->name);
}

static GArray *
prepare_items (LtStateDict *self,
               GError     **error)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = &g_array_index (self->entries, Entry, i);
      Item it = { e->name, NULL, st_dtype_of (e->tensor->dtype) };

      it.host = _lt_tensor_contiguous_host (e->tensor, error);
      if (it.host == NULL)
        {
          for (guint k = 0; k < items->len; k++)
            g_object_unref (g_array_index (items, Item, k).host);
          return NULL;
        }
      g_array_append_val (items, it);
    }
  qsort (items->data, items->len, sizeof (Item), cmp_items);
  return g_steal_pointer (&items);
}

static void
free_items (GArray *items)
{
  for (guint k = 0; k < items->len; k++)
    g_object_unref (g_array_index (items, Item, k).host);
  g_array_unref (items);
}

static GString *
build_header (LtStateDict *self,
              GArray      *items)
{
  GString *h = g_string_new ("{");
  guint64 offset = 0;
  gboolean first = TRUE;
  guint64 n;

  if (g_hash_table_size (self->metadata) > 0)
    {
      g_auto(GStrv) keys = lt_state_dict_get_metadata_keys (self);

      g_string_append (h, "\"__metadata__\":{");
      for (guint i = 0; keys[i]; i++)
        {
          if (i)
            g_string_append_c (h, ',');
          _lt_json_append_string (h, keys[i]);
          g_string_append_c (h, ':');
          _lt_json_append_string (h, g_hash_table_lookup (self->metadata, keys[i]));
        }
      g_string_append_c (h, '}');
      first = FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      guint64 nbytes = (guint64) it->host->numel * it->st->size;

      if (!first)
        g_string_append_c (h, ',');
      first = FALSE;
      _lt_json_append_string (h, it->name);
      g_string_append_printf (h, ":{\"dtype\":\"%s\",\"shape\":[", it->st->name);
      for (guint d = 0; d < it->host->ndim; d++)
        g_string_append_printf (h, "%s%" G_GINT64_FORMAT, d ? "," : "", it->host->shape[d]);
      g_string_append_printf (h, "],\"data_offsets\":[%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]}",
                              offset, offset + nbytes);
      offset += nbytes;
    }
  g_string_append_c (h, '}');
  /* Pad with spaces to a multiple of 8, as the reference writer does. */
  n = h->len;
  while (n % 8 != 0)
    {
      g_string_append_c (h, ' ');
      n++;
    }
  return h;
}

/**
 * lt_state_dict_serialize:
 * @self: a state dict
 * @error: return location for a #GError
 *
 * Encodes the state dict in the safetensors format, byte for byte as the
 * reference writer does: tensors ordered by dtype alignment (largest
 * first) then name, compact JSON, the header padded with spaces to a
 * multiple of 8 bytes. Metadata keys are written sorted.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with @error set
 */
GBytes *
lt_state_dict_serialize (LtStateDict *self,
                         GError     **error)
{
  GArray *items;
  GString *h;
  GByteArray *out;
  guint64 n;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  items = prepare_items (self, error);
  if (items == NULL)
    return NULL;
  h = build_header (self, items);
  out = g_byte_array_new ();
  n = GUINT64_TO_LE ((guint64) h->len);
  g_byte_array_append (out, (const guint8 *) &n, 8);
  g_byte_array_append (out, (const guint8 *) h->str, h->len);
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      gsize nbytes = (gsize) it->host->numel * it->st->size;

      if (nbytes)
        g_byte_array_append (out, _lt_tensor_data (it->host), nbytes);
    }
  g_string_free (h, TRUE);
  free_items (items);
  return g_byte_array_free_to_bytes (out);
}

static gboolean
write_all (int         fd,
           const void *data,
           gsize       n,
           GError    **error)
{
  const guint8 *p = data;

  while (n > 0)
    {
      ssize_t w = write (fd, p, MIN (n, (gsize) 1 << 30));

      if (w < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s", g_strerror (saved));
          return FALSE;
        }
      p += w;
      n -= (gsize) w;
    }
  return TRUE;
}

/**
 * lt_state_dict_save:
 * @self: a state dict
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes the state dict to @path in the safetensors format, atomically: the
 * bytes go to a temporary file in the same folder, which is flushed to disk
 * and then renamed over @path. A failure (a full disk, a crash) leaves any
 * previous file at @path intact; on an error the temporary file is removed.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%LT_ERROR_IO)
 */
gboolean
lt_state_dict_save (LtStateDict *self,
                    const char  *path,
                    GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GError) local = NULL;
  GArray *items;
  GString *h;
  guint64 n;
  int fd, dfd;
  gboolean ok;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  items = prepare_items (self, error);
  if (items == NULL)
    return FALSE;
  h = build_header (self, items);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: cannot create a temporary file in %s: %s",
                   path, dir, g_strerror (saved));
      g_string_free (h, TRUE);
      free_items (items);
      return FALSE;
    }

  n = GUINT64_TO_LE ((guint64) h->len);
  ok = write_all (fd, &n, 8, &local) && write_all (fd, h->str, h->len, &local);
  for (guint i = 0; ok && i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      gsize nbytes = (gsize) it->host->numel * it->st->size;

      if (nbytes)
        ok = write_all (fd, _lt_tensor_data (it->host), nbytes, &local);
    }
  g_string_free (h, TRUE);
  free_items (items);

  if (ok && fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (&local, LT_ERROR, LT_ERROR_IO, "%s", g_strerror (saved));
      ok = FALSE;
    }
  if (close (fd) != 0 && ok)
    {
      int saved = errno;
      g_set_error (&local, LT_ERROR, LT_ERROR_IO, "%s", g_strerror (saved));
      ok = FALSE;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (&local, LT_ERROR, LT_ERROR_IO, "rename: %s", g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: saving failed, the previous file is "
                   "unchanged: %s", path, local->message);
      return FALSE;
    }
  /* Make the rename itself durable. */
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
  return TRUE;
}

/* Deserialisation */

typedef struct
{
  const char *name;
  const StDtype *st;
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  guint64 begin, end;
  guint order;            /* position in the header */
} Info;

static int
cmp_begin (const void *a,
           const void *b)
{
  const Info *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

static int
cmp_order (const void *a,
           const void *b)
{
  const Info *x = a, *y = b;

  return (int) x->order - (int) y->order;
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

static gboolean
parse_info (const char   *source,
            const char   *name,
            LtJsonValue  *v,
            Info         *info,
            GError      **error)
{
  LtJsonValue *dt, *shape, *offs;
  guint64 numel = 1, nbytes;
  gboolean overflow = FALSE;

  if (v->kind != LT_JSON_OBJECT)
    return bad (error, source, "tensor '%s': its header entry is not an object", name);
  for (gsize i = 0; i < v->n_items; i++)
    if (strcmp (v->keys[i], "dtype") != 0 && strcmp (v->keys[i], "shape") != 0 &&
        strcmp (v->keys[i], "data_offsets") != 0)
      return bad (error, source, "tensor '%s': unknown field \"%s\"", name, v->keys[i]);
  dt = _lt_json_object_get (v, "dtype");
  shape = _lt_json_object_get (v, "shape");
  offs = _lt_json_object_get (v, "data_offsets");
  if (dt == NULL || shape == NULL || offs == NULL)
    return bad (error, source, "tensor '%s': needs dtype, shape and data_offsets", name);
  if (dt->kind != LT_JSON_STRING || (info->st = st_dtype_by_name (dt->string)) == NULL)
    return bad (error, source, "tensor '%s': unknown dtype %s%s%s", name,
                dt->kind == LT_JSON_STRING ? "\"" : "",
                dt->kind == LT_JSON_STRING ? dt->string : "(not a string)",
                dt->kind == LT_JSON_STRING ? "\"" : "");
  if (shape->kind != LT_JSON_ARRAY)
    return bad (error, source, "tensor '%s': shape is not an array", name);
  if (shape->n_items > LT_MAX_DIMS)
    return bad (error, source, "tensor '%s': %" G_GSIZE_FORMAT " dimensions, at most %d are "
                "supported", name, shape->n_items, LT_MAX_DIMS);
  info->ndim = (guint) shape->n_items;
  for (guint d = 0; d < info->ndim; d++)
    {
      LtJsonValue *s = shape->items[d];

      if (s->kind != LT_JSON_NUMBER || !s->is_integer || s->integer_overflow || s->integer < 0)
        return bad (error, source, "tensor '%s': dimension %u of the shape is not a "
                    "non-negative integer", name, d);
      info->shape[d] = s->integer;
      if (__builtin_mul_overflow (numel, (guint64) s->integer, &numel))
        overflow = TRUE;
    }
  if (overflow || __builtin_mul_overflow (numel, (guint64) info->st->size, &nbytes))
    return bad (error, source, "tensor '%s': the shape's size overflows 64 bits", name);
  if (offs->kind != LT_JSON_ARRAY || offs->n_items != 2)
    return bad (error, source, "tensor '%s': data_offsets is not a pair [begin, end]", name);
  for (guint k = 0; k < 2; k++)
    {
      LtJsonValue *o = offs->items[k];

      if (o->kind != LT_JSON_NUMBER || !o->is_integer || o->integer_overflow || o->integer < 0)
        return bad (error, source, "tensor '%s': data_offsets are not non-negative integers", name);
    }
  info->begin = (guint64) offs->items[0]->integer;
  info->end = (guint64) offs->items[1]->integer;
  if (info->end < info->begin)
    return bad (error, source, "tensor '%s': data_offsets [%" G_GUINT64_FORMAT ", %"
                G_GUINT64_FORMAT "] end before they begin", name, info->begin, info->end);
  if (info->end - info->begin != nbytes)
    return bad (error, source, "tensor '%s': %s shape needs %" G_GUINT64_FORMAT " bytes but "
                "data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] hold %"
                G_GUINT64_FORMAT, name, info->st->name, nbytes, info->begin, info->end,
                info->end - info->begin);
  info->name = name;
  return TRUE;
}

static float
half_to_float (guint16 h)
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
make_tensor (const Info  *info,
             GBytes      *bytes,
             const guint8 *data,
             const char  *source,
             GError     **error)
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
            f[i] = half_to_float (h);
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
  bad (error, source, "tensor '%s': dtype %s has no libtensor equivalent", info->name,
       info->st->name);
  return NULL;
}

/* Checks the header against @data_len and builds the state dict. */
static LtStateDict *
decode (const char   *source,
        const char   *header,
        gsize         header_len,
        GBytes       *data_bytes,
        GError      **error)
{
  g_autoptr(LtJsonDoc) doc = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(LtStateDict) dict = NULL;
  g_autofree Info *infos = NULL;
  LtJsonValue *root;
  gsize data_len;
  const guint8 *data = g_bytes_get_data (data_bytes, &data_len);
  guint n = 0;
  guint64 pos = 0;

  doc = _lt_json_parse (header, header_len, &local);
  if (doc == NULL)
    {
      bad (error, source, "header (from byte 8): %s", local->message);
      return NULL;
    }
  root = _lt_json_doc_root (doc);
  if (root->kind != LT_JSON_OBJECT)
    {
      bad (error, source, "the header is not a JSON object");
      return NULL;
    }
  dict = lt_state_dict_new ();
  infos = g_new0 (Info, MAX (root->n_items, 1));
  for (gsize i = 0; i < root->n_items; i++)
    {
      const char *key = root->keys[i];
      LtJsonValue *v = root->items[i];

      if (strcmp (key, "__metadata__") == 0)
        {
          if (v->kind != LT_JSON_OBJECT)
            {
              bad (error, source, "__metadata__ is not an object");
              return NULL;
            }
          for (gsize k = 0; k < v->n_items; k++)
            {
              if (v->items[k]->kind != LT_JSON_STRING)
                {
                  bad (error, source, "__metadata__ value of \"%s\" is not a string", v->keys[k]);
                  return NULL;
                }
              lt_state_dict_set_metadata (dict, v->keys[k], v->items[k]->string);
            }
          continue;
        }
      if (!parse_info (source, key, v, &infos[n], error))
        return NULL;
      infos[n].order = n;
      n++;
    }

  /* The tensors must tile the data exactly: no gap, no overlap, nothing
   * left over. */
  qsort (infos, n, sizeof (Info), cmp_begin);
  for (guint i = 0; i < n; i++)
    {
      if (infos[i].begin != pos)
        {
          if (infos[i].begin > pos)
            bad (error, source, "tensor '%s' starts at data byte %" G_GUINT64_FORMAT " but the "
                 "data before it ends at byte %" G_GUINT64_FORMAT ": a gap",
                 infos[i].name, infos[i].begin, pos);
          else
            bad (error, source, "tensor '%s' starts at data byte %" G_GUINT64_FORMAT ", inside "
                 "the previous tensor (which ends at byte %" G_GUINT64_FORMAT "): an overlap",
                 infos[i].name, infos[i].begin, pos);
          return NULL;
        }
      pos = infos[i].end;
    }
  if (pos != data_len)
    {
      bad (error, source, "the tensors cover %" G_GUINT64_FORMAT " bytes of data but the file "
           "holds %" G_GSIZE_FORMAT " after the header", pos, data_len);
      return NULL;
    }

  qsort (infos, n, sizeof (Info), cmp_order);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtTensor) t = make_tensor (&infos[i], data_bytes, data, source, error);

      if (t == NULL)
        return NULL;
      lt_state_dict_insert (dict, infos[i].name, t);
    }
  return g_steal_pointer (&dict);
}

static gboolean
check_header_length (const char *source,
                     guint64     n,
                     guint64     available,
                     GError    **error)
{
  if (n > MAX_HEADER)
    return bad (error, source, "the header length %" G_GUINT64_FORMAT " is above the limit of "
                "%" G_GUINT64_FORMAT " bytes", n, MAX_HEADER);
  if (n > available)
    return bad (error, source, "the header length %" G_GUINT64_FORMAT " runs past the end of "
                "the file (%" G_GUINT64_FORMAT " bytes after the length)", n, available);
  return TRUE;
}

/**
 * lt_state_dict_deserialize:
 * @bytes: safetensors data
 * @source: (nullable): a name for error messages, such as a file name
 * @error: return location for a #GError
 *
 * Decodes safetensors data, checking every size and offset. Tensors of
 * our dtypes share @bytes' memory when aligned; F16 and BF16 become
 * float32, U16 int32 and U32 int64.
 *
 * Returns: (transfer full) (nullable): the state dict, or %NULL with @error
 *   set (%LT_ERROR_FORMAT) naming the tensor or byte offset at fault
 */
LtStateDict *
lt_state_dict_deserialize (GBytes     *bytes,
                           const char *source,
                           GError    **error)
{
  gsize size;
  const guint8 *p;
  guint64 n;
  g_autoptr(GBytes) data = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  if (source == NULL)
    source = "safetensors data";
  p = g_bytes_get_data (bytes, &size);
  if (size < 8)
    {
      bad (error, source, "%" G_GSIZE_FORMAT " bytes are too few for a safetensors header "
           "length (8 bytes)", size);
      return NULL;
    }
  memcpy (&n, p, 8);
  n = GUINT64_FROM_LE (n);
  if (!check_header_length (source, n, size - 8, error))
    return NULL;
  data = g_bytes_new_from_bytes (bytes, 8 + n, size - 8 - n);
  return decode (source, (const char *) p + 8, n, data, error);
}

static gboolean
read_exact (int       fd,
            void     *buf,
            gsize     n,
            GError  **error)
{
  guint8 *p = buf;

  while (n > 0)
    {
      ssize_t r = read (fd, p, MIN (n, (gsize) 1 << 30));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          int saved = errno;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s",
                       r == 0 ? "unexpected end of file" : g_strerror (saved));
          return FALSE;
        }
      p += r;
      n -= (gsize) r;
    }
  return TRUE;
}

/**
 * lt_state_dict_load:
 * @path: (type filename): a safetensors file
 * @error: return location for a #GError
 *
 * Reads a safetensors file. The header length is checked against the
 * file's size (and a 100 MB limit) before the header is read, and every
 * tensor's shape, dtype and offsets against the data before any tensor is
 * made, so a hostile file cannot make it allocate more than the file holds.
 *
 * Returns: (transfer full) (nullable): the state dict, or %NULL with @error
 *   set: %LT_ERROR_IO when the file cannot be read, %LT_ERROR_FORMAT naming
 *   the file and the tensor or byte offset when its contents are invalid
 */
LtStateDict *
lt_state_dict_load (const char *path,
                    GError    **error)
{
  struct stat st;
  guint64 n;
  int fd;
  g_autofree char *header = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) data = NULL;
  guint8 *buf;
  gsize data_len;
  LtStateDict *dict;

  g_return_val_if_fail (path != NULL, NULL);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: not a regular file", path);
      close (fd);
      return NULL;
    }
  if (st.st_size < 8)
    {
      bad (error, path, "%" G_GINT64_FORMAT " bytes are too few for a safetensors header "
           "length (8 bytes)", (gint64) st.st_size);
      close (fd);
      return NULL;
    }
  if (!read_exact (fd, &n, 8, &local))
    goto io_error;
  n = GUINT64_FROM_LE (n);
  if (!check_header_length (path, n, (guint64) st.st_size - 8, error))
    {
      close (fd);
      return NULL;
    }
  header = g_malloc (n + 1);
  if (!read_exact (fd, header, n, &local))
    goto io_error;
  header[n] = '\0';
  data_len = (gsize) st.st_size - 8 - n;
  buf = g_malloc (MAX (data_len, 1));
  if (!read_exact (fd, buf, data_len, &local))
    {
      g_free (buf);
      goto io_error;
    }
  close (fd);
  data = g_bytes_new_take (buf, data_len);
  dict = decode (path, header, n, data, error);
  return dict;

io_error:
  close (fd);
  g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: %s", path, local->message);
  return NULL;
}
