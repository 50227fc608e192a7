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

/* Removes the temporary files that earlier saves to @base left in @dir
 * when they were killed: regular files of ours named .<base>.tmp-XXXXXX,
 * other than this save's own (@own), not modified after @since (when
 * this save made its own). A save to the
 * same file running at the same time in another process keeps touching its
 * temporary file while it writes, but between its last write and its
 * rename it may lose the file here and fail with an error: the target is
 * never left broken. */
static void
remove_stale_temporaries (const char            *dir,
                          const char            *base,
                          const char            *own,
                          const struct timespec *since)
{
  g_autofree char *prefix = g_strdup_printf (".%s.tmp-", base);
  gsize plen = strlen (prefix);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *full = NULL;
      struct stat st;
      gboolean ours = TRUE;

      if (strncmp (name, prefix, plen) != 0 || strlen (name + plen) != 6 ||
          strcmp (name, own) == 0)
        continue;
      for (const char *c = name + plen; *c; c++)
        ours = ours && g_ascii_isalnum (*c);
      if (!ours)
        continue;
      full = g_build_filename (dir, name, NULL);
      if (lstat (full, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid ())
        continue;
      if (st.st_mtim.tv_sec > since->tv_sec ||
          (st.st_mtim.tv_sec == since->tv_sec && st.st_mtim.tv_nsec > since->tv_nsec))
        continue;
      g_unlink (full);
    }
  g_dir_close (d);
}

/**
 * lt_state_dict_save:
 * @self: a state dict
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes the state dict to @path in the safetensors format, atomically: the
 * bytes go to a temporary file in the same folder (named
 * `.<name>.tmp-XXXXXX`), which is flushed to disk and then renamed over
 * @path. A failure (a full disk, a crash) leaves any previous file at @path
 * intact; on an error the temporary file is removed. A process killed while
 * saving leaves its temporary file behind: the next save to @path removes
 * such files (those of @path only, and only older ones).
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
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GError) local = NULL;
  GArray *items;
  GString *h;
  guint64 n;
  int fd, dfd;
  gboolean ok;
  struct stat st;

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
  /* Earlier saves to @path that were killed left their temporary files:
   * remove them now, which also frees their space for this one. */
  if (fstat (fd, &st) == 0)
    {
      g_autofree char *own = g_path_get_basename (tmp);
      remove_stale_temporaries (dir, base, own, &st.st_mtim);
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

/* Deserialisation
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
  const StDtype *st;
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  guint64 begin, end;
  gsize offset;           /* file offset of the entry, for messages */
} Info;

typedef struct
{
  GArray *infos;          /* Info, header order */
  GHashTable *names;      /* the names in @infos (borrowed) */
  LtStateDict *dict;      /* receives the metadata */
  guint64 data_start;     /* file offset of the data: 8 + N */
} Header;

static void
info_clear (gpointer data)
{
  g_free (((Info *) data)->name);
}

static void
header_init (Header *h,
             guint64 header_len)
{
  h->infos = g_array_new (FALSE, TRUE, sizeof (Info));
  g_array_set_clear_func (h->infos, info_clear);
  h->names = g_hash_table_new (g_str_hash, g_str_equal);
  h->dict = lt_state_dict_new ();
  h->data_start = 8 + header_len;
}

static void
header_clear (Header *h)
{
  g_clear_pointer (&h->names, g_hash_table_unref);
  g_clear_pointer (&h->infos, g_array_unref);
  g_clear_object (&h->dict);
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
parse_header (const char *header,
              gsize       header_len,
              Header     *h,
              GError    **error)
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

/* The tensors must tile the @data_len bytes of data exactly: starting at
 * 0, no gap, no overlap, nothing past the end and nothing left over. */
static gboolean
check_layout (Header     *h,
              const char *source,
              guint64     data_len,
              GError    **error)
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
  bad_tensor (error, info->name, info->offset, "dtype %s has no libtensor equivalent",
              info->st->name);
  return NULL;
}

/* Makes the tensors of a checked header over @data, in header order. */
static LtStateDict *
build (Header     *h,
       const char *source,
       GBytes     *data,
       GError    **error)
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

static gboolean
check_header_length (const char *source,
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
  gsize size;
  const guint8 *p;
  guint64 n;
  g_autoptr(GBytes) data = NULL;
  Header h;
  LtStateDict *dict = NULL;

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
  header_init (&h, n);
  if (!parse_header ((const char *) p + 8, n, &h, error))
    g_prefix_error (error, "%s: ", source);
  else if (check_layout (&h, source, size - 8 - n, error))
    {
      data = g_bytes_new_from_bytes (bytes, 8 + n, size - 8 - n);
      dict = build (&h, source, data, error);
    }
  header_clear (&h);
  return dict;
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
  guint8 *buf;
  Header h = { 0 };
  LtStateDict *dict = NULL;

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
      goto out;
    }
  if (st.st_size < 8)
    {
      bad (error, path, "%" G_GINT64_FORMAT " bytes are too few for a safetensors header "
           "length (8 bytes)", (gint64) st.st_size);
      goto out;
    }
  if (!read_exact (fd, &n, 8, 0, path, error))
    goto out;
  n = GUINT64_FROM_LE (n);
  if (!check_header_length (path, n, (guint64) st.st_size - 8, error))
    goto out;
  header = g_malloc (n + 1);
  if (!read_exact (fd, header, n, 8, path, error))
    goto out;
  header[n] = '\0';
  header_init (&h, n);
  if (!parse_header (header, n, &h, error))
    {
      g_prefix_error (error, "%s: ", path);
      goto out;
    }
  g_clear_pointer (&header, g_free);
  data_len = (guint64) st.st_size - 8 - n;
  if (!check_layout (&h, path, data_len, error))
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
  dict = build (&h, path, data, error);

out:
  close (fd);
  if (h.infos)
    header_clear (&h);
  return dict;
}
