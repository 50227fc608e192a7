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
#include "lt-file-private.h"
#include "lt-json-private.h"
#include "lt-safetensors-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

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
  g_return_val_if_fail (name != NULL, FALSE);
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
  g_return_val_if_fail (key != NULL, NULL);
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

/* Serialisation */

typedef struct
{
  const char *name;
  LtTensor *host;          /* contiguous CPU copy or the tensor itself */
  const LtSafetensorsDtype *st;
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

/* What the JSON header can hold: UTF-8 names, metadata keys and values,
 * and no tensor called like the metadata. */
static gboolean
check_strings (LtStateDict *self,
               GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < self->entries->len; i++)
    {
      const char *name = g_array_index (self->entries, Entry, i).name;

      if (!g_utf8_validate (name, -1, NULL))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "save: the name of tensor %u is not valid UTF-8", i);
          return FALSE;
        }
      if (strcmp (name, "__metadata__") == 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "save: a tensor cannot be called \"__metadata__\", the name of the "
                       "file's metadata");
          return FALSE;
        }
    }
  g_hash_table_iter_init (&iter, self->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "save: a metadata key or value is not valid UTF-8");
        return FALSE;
      }
  return TRUE;
}

static GArray *
prepare_items (LtStateDict *self,
               GError     **error)
{
  g_autoptr(GArray) items = NULL;

  if (!check_strings (self, error))
    return NULL;
  items = g_array_new (FALSE, FALSE, sizeof (Item));
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = &g_array_index (self->entries, Entry, i);
      Item it = { e->name, NULL, _lt_safetensors_dtype_of (e->tensor->dtype) };

      it.host = _lt_contiguous_host (e->tensor, error);
      if (it.host == NULL)
        {
          for (guint k = 0; k < items->len; k++)
            g_object_unref (g_array_index (items, Item, k).host);
          return NULL;
        }
      g_array_append_val (items, it);
    }
  if (items->len > 1)
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
  guint8 *out, *p;
  guint64 n, total;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), NULL);
  items = prepare_items (self, error);
  if (items == NULL)
    return NULL;
  h = build_header (self, items);
  total = 8 + h->len;
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      total += (guint64) it->host->numel * it->st->size;
    }
  out = total <= G_MAXSIZE ? g_try_malloc ((gsize) total) : NULL;
  if (out == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "serialize: cannot allocate %" G_GUINT64_FORMAT " bytes", total);
      g_string_free (h, TRUE);
      free_items (items);
      return NULL;
    }
  n = GUINT64_TO_LE ((guint64) h->len);
  memcpy (out, &n, 8);
  memcpy (out + 8, h->str, h->len);
  p = out + 8 + h->len;
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      gsize nbytes = (gsize) it->host->numel * it->st->size;

      if (nbytes)
        memcpy (p, _lt_tensor_data (it->host), nbytes);
      p += nbytes;
    }
  g_string_free (h, TRUE);
  free_items (items);
  return g_bytes_new_take (out, (gsize) total);
}

/**
 * lt_state_dict_save:
 * @self: a state dict
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes the state dict to @path in the safetensors format, atomically, as
 * lt_file_set_contents() writes: the bytes go to a temporary file in the
 * same folder (named `.<name>.tmp-<host>-<pid>-XXXXXX`, unique to this
 * save), which is flushed to disk and then renamed over @path. A failure
 * (a full disk, a crash) leaves any previous file at @path intact; on an
 * error the temporary file is removed. A symbolic link at @path is
 * followed (its file is replaced, the link stays), an existing file keeps
 * its mode. A process killed while saving leaves its temporary file
 * behind: the next save to @path on the same host removes it once that
 * process is gone (never the file of a save still running, in this
 * process or another).
 *
 * Names, metadata keys and values must be valid UTF-8, and no tensor may be
 * called `__metadata__`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%LT_ERROR_IO, or
 *   %LT_ERROR_INVALID_ARGUMENT for a name the format cannot hold)
 */
gboolean
lt_state_dict_save (LtStateDict *self,
                    const char  *path,
                    GError     **error)
{
  LtFileWriter *w;
  GArray *items;
  GString *h;
  guint64       n;
  gboolean      ok;

  g_return_val_if_fail (LT_IS_STATE_DICT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  items = prepare_items (self, error);
  if (items == NULL)
    return FALSE;
  w = _lt_file_writer_new (path, error);
  if (w == NULL)
    {
      free_items (items);
      return FALSE;
    }
  h = build_header (self, items);
  n = GUINT64_TO_LE ((guint64) h->len);
  ok = _lt_file_writer_write (w, &n, 8, error) && _lt_file_writer_write (w, h->str, h->len, error);
  for (guint i = 0; ok && i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);
      gsize nbytes = (gsize) it->host->numel * it->st->size;

      if (nbytes)
        ok = _lt_file_writer_write (w, _lt_tensor_data (it->host), nbytes, error);
    }
  g_string_free (h, TRUE);
  free_items (items);
  if (!ok)
    {
      _lt_file_writer_abort (w);
      return FALSE;
    }
  return _lt_file_writer_finish (w, error);
}

/**
 * lt_state_dict_deserialize:
 * @bytes: safetensors data
 * @source: (nullable): a name for error messages, such as a file name
 * @error: return location for a #GError
 *
 * Decodes safetensors data, checking every size and offset. Tensors of
 * our dtypes share @bytes' memory when aligned (so @bytes must stay
 * writable if the tensors are changed in place); F16 and BF16 become
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
  g_autoptr(LtSafetensorsHeader) h = NULL;
  g_autoptr(GBytes) data = NULL;
  gsize size;
  const guint8 *p;
  guint64 n;

  g_return_val_if_fail (bytes != NULL, NULL);
  if (source == NULL)
    source = "safetensors data";
  p = g_bytes_get_data (bytes, &size);
  if (!_lt_safetensors_check_size (source, size, error))
    return NULL;
  memcpy (&n, p, 8);
  n = GUINT64_FROM_LE (n);
  if (!_lt_safetensors_check_header_length (source, n, size - 8, error))
    return NULL;
  h = _lt_safetensors_header_parse ((const char *) p + 8, n, source, error);
  if (h == NULL || !_lt_safetensors_header_check_layout (h, source, size - 8 - n, error))
    return NULL;
  data = g_bytes_new_from_bytes (bytes, 8 + n, size - 8 - n);
  return _lt_safetensors_header_build (h, source, data, error);
}

static gboolean
read_exact (int          fd,
            void        *buf,
            gsize        n,
            guint64      offset,
            const char  *path,
            GError     **error)
{
  guint8 *p = buf;
  guint64 at = offset;

  while (n > 0)
    {
      ssize_t r = read (fd, p, MIN (n, (gsize) 1 << 30));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          int saved = errno;
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: reading at byte %" G_GUINT64_FORMAT
                       " failed: %s", path, at,
                       r == 0 ? "unexpected end of file (was it cut while we read it?)"
                              : g_strerror (saved));
          return FALSE;
        }
      p += r;
      at += (guint64) r;
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
 * tensor's shape, dtype and offsets against the data before the data is
 * read or any tensor made, so a hostile file cannot make it allocate more
 * than the file holds.
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
  guint64 n, data_len;
  int fd;
  g_autofree char *header = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(LtSafetensorsHeader) h = NULL;
  guint8 *buf;
  LtStateDict *dict = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  fd = _lt_file_open_read (path, NULL, &st, error);
  if (fd < 0)
    return NULL;
  if (!_lt_safetensors_check_size (path, (guint64) st.st_size, error))
    goto out;
  if (!read_exact (fd, &n, 8, 0, path, error))
    goto out;
  n = GUINT64_FROM_LE (n);
  if (!_lt_safetensors_check_header_length (path, n, (guint64) st.st_size - 8, error))
    goto out;
  header = g_malloc (n + 1);
  if (!read_exact (fd, header, n, 8, path, error))
    goto out;
  header[n] = '\0';
  h = _lt_safetensors_header_parse (header, n, path, error);
  if (h == NULL)
    goto out;
  g_clear_pointer (&header, g_free);
  data_len = (guint64) st.st_size - 8 - n;
  if (!_lt_safetensors_header_check_layout (h, path, data_len, error))
    goto out;
  buf = g_try_malloc (MAX (data_len, 1));
  if (buf == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY, "%s: cannot allocate %"
                   G_GUINT64_FORMAT " bytes for the tensors' data", path, data_len);
      goto out;
    }
  data = g_bytes_new_take (buf, data_len);
  if (!read_exact (fd, buf, data_len, 8 + n, path, error))
    goto out;
  dict = _lt_safetensors_header_build (h, path, data, error);

out:
  close (fd);
  return dict;
}
