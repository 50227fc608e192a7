/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <archive.h>
#include <archive_entry.h>

#include "lt-cifar10.h"
#include "lt-datasets-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-creation.h"

/**
 * LtCifar10:
 *
 * The CIFAR-10 dataset (60,000 32x32 colour images in 10 classes; 50,000
 * for training, 10,000 for testing), read from its binary version, as
 * torchvision's `CIFAR10`.
 *
 * The root folder holds either the extracted folder
 * `cifar-10-batches-bin/` (`data_batch_1.bin` .. `data_batch_5.bin`,
 * `test_batch.bin`, `batches.meta.txt`) or the archive
 * `cifar-10-binary.tar.gz`, which is read as a stream without unpacking
 * anything to disk. With download set, the archive is fetched from
 * %LT_CIFAR10_URL (the environment variable `LT_CIFAR10_URL` names a
 * mirror of the same file) and its MD5 checked.
 *
 * The images are held in one uint8 tensor of shape (N, 3, 32, 32) and the
 * labels in one int64 tensor of shape (N); an item is a view of its image
 * (uint8, channels first) passed through the transform, and its label as a
 * 0-dim int64 tensor passed through the target transform.
 *
 * Every file is checked before anything is allocated for it: a size that
 * is not a multiple of the 3,073-byte record, a record cut short, a label
 * over 9, an archive member with an absolute path or "..", a missing file
 * each give an error naming the file and the byte offset.
 */

#define META_NAME "batches.meta.txt"
#define META_MAX_SIZE (64 * 1024)
#define READ_CHUNK (1 << 20)

/* Members 0..4: data_batch_1..5.bin; 5: test_batch.bin */
#define N_BATCHES 6
#define TEST_BATCH 5

static const char *const batch_names[N_BATCHES] = {
  "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
  "data_batch_5.bin", "test_batch.bin",
};

struct _LtCifar10
{
  GObject parent_instance;

  /* Owned */
  LtTensor *images;     /* uint8 (N, 3, 32, 32) */
  LtTensor *labels;     /* int64 (N) */
  char **classes;
  LtTransform *transform;
  LtTransform *target_transform;

  gboolean train;
};

static void lt_cifar10_dataset_init (LtDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtCifar10, lt_cifar10, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, lt_cifar10_dataset_init))

/* The record parser */

gboolean
_lt_cifar10_bin_begin (LtCifarBinParser *parser,
                       const char       *name,
                       guint64           size,
                       GError          **error)
{
  parser->name = name;
  parser->size = size;
  parser->pos = 0;
  if (size % LT_CIFAR10_RECORD_SIZE != 0)
    {
      guint64 last = size - size % LT_CIFAR10_RECORD_SIZE;

      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: its size, %" G_GUINT64_FORMAT " bytes, is not a multiple of the "
                   "3,073-byte record: the record at byte offset %" G_GUINT64_FORMAT
                   " has only %" G_GUINT64_FORMAT " bytes", name, size, last, size - last);
      return FALSE;
    }
  return TRUE;
}

gboolean
_lt_cifar10_bin_feed (LtCifarBinParser *parser,
                      const guint8     *data,
                      gsize             len,
                      GError          **error)
{
  if (len > parser->size - parser->pos)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: more bytes than its size, %" G_GUINT64_FORMAT
                   ", at byte offset %" G_GUINT64_FORMAT, parser->name, parser->size,
                   parser->size);
      return FALSE;
    }
  while (len > 0)
    {
      guint64 record = parser->pos / LT_CIFAR10_RECORD_SIZE;
      guint64 within = parser->pos % LT_CIFAR10_RECORD_SIZE;

      if (within == 0)
        {
          if (data[0] >= LT_CIFAR10_N_CLASSES)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                           "cifar10: %s: label %u at byte offset %" G_GUINT64_FORMAT
                           " (record %" G_GUINT64_FORMAT ") is over 9",
                           parser->name, data[0], parser->pos, record);
              return FALSE;
            }
          parser->labels[record] = data[0];
          data++;
          len--;
          parser->pos++;
        }
      else
        {
          gsize n = (gsize) MIN ((guint64) len, LT_CIFAR10_RECORD_SIZE - within);

          memcpy (parser->images + record * LT_CIFAR10_IMAGE_SIZE + (within - 1), data, n);
          data += n;
          len -= n;
          parser->pos += n;
        }
    }
  return TRUE;
}

static void
set_truncated (LtCifarBinParser *parser,
               const char       *why,
               GError          **error)
{
  guint64 start = parser->pos - parser->pos % LT_CIFAR10_RECORD_SIZE;

  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
               "cifar10: %s: truncated record at byte offset %" G_GUINT64_FORMAT ": the data "
               "ends at byte offset %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT "%s%s",
               parser->name, start, parser->pos, parser->size, why ? ": " : "", why ? why : "");
}

gboolean
_lt_cifar10_bin_end (LtCifarBinParser *parser,
                     GError          **error)
{
  if (parser->pos != parser->size)
    {
      set_truncated (parser, NULL, error);
      return FALSE;
    }
  return TRUE;
}

static LtTensor *
new_images (gint64   n,
            GError **error)
{
  gint64 shape[] = { n, 3, 32, 32 };

  return lt_empty (shape, 4, LT_DTYPE_UINT8, error);
}

static LtTensor *
new_labels (gint64   n,
            GError **error)
{
  return lt_empty (&n, 1, LT_DTYPE_INT64, error);
}

gboolean
_lt_cifar10_parse_bin (const guint8 *data,
                       gsize         len,
                       const char   *name,
                       LtTensor    **images,
                       LtTensor    **labels,
                       GError      **error)
{
  g_autoptr(LtTensor) im = NULL;
  g_autoptr(LtTensor) lb = NULL;
  LtCifarBinParser parser;

  if (!_lt_cifar10_bin_begin (&parser, name, len, error))
    return FALSE;
  im = new_images ((gint64) (len / LT_CIFAR10_RECORD_SIZE), error);
  if (im == NULL)
    return FALSE;
  lb = new_labels ((gint64) (len / LT_CIFAR10_RECORD_SIZE), error);
  if (lb == NULL)
    return FALSE;
  parser.images = _lt_tensor_data (im);
  parser.labels = _lt_tensor_data (lb);
  if (!_lt_cifar10_bin_feed (&parser, data, len, error) || !_lt_cifar10_bin_end (&parser, error))
    return FALSE;
  *images = g_steal_pointer (&im);
  *labels = g_steal_pointer (&lb);
  return TRUE;
}

char **
_lt_cifar10_parse_meta (const guint8 *data,
                        gsize         len,
                        const char   *name,
                        GError      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *end;
  gsize pos = 0;

  if (len > META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GSIZE_FORMAT " bytes is too big for a list of class names "
                   "(at most %d)", name, len, META_MAX_SIZE);
      return NULL;
    }
  if (!g_utf8_validate ((const char *) data, (gssize) len, &end))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: invalid UTF-8 at byte offset %" G_GSIZE_FORMAT, name,
                   (gsize) (end - (const char *) data));
      return NULL;
    }
  while (pos < len)
    {
      const guint8 *nl = memchr (data + pos, '\n', len - pos);
      gsize line_end = nl ? (gsize) (nl - data) : len;
      g_autofree char *line = g_strndup ((const char *) data + pos, line_end - pos);

      g_strstrip (line);
      if (line[0] != '\0')
        {
          if (names->len == LT_CIFAR10_N_CLASSES)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                           "cifar10: %s: more than 10 class names (the 11th at byte offset %"
                           G_GSIZE_FORMAT ")", name, pos);
              return NULL;
            }
          g_ptr_array_add (names, g_steal_pointer (&line));
        }
      pos = line_end + 1;
    }
  if (names->len != LT_CIFAR10_N_CLASSES)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %u class names instead of 10 (the file ends at byte offset %"
                   G_GSIZE_FORMAT ")", name, names->len, len);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

gboolean
_lt_archive_path_is_safe (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] == '\0' || path[0] == '/' || path[0] == '\\')
    return FALSE;
  parts = g_strsplit_set (path, "/\\", -1);
  for (guint i = 0; parts[i]; i++)
    if (strcmp (parts[i], "..") == 0)
      return FALSE;
  return TRUE;
}

/* The extracted folder */

static gboolean
read_bin_file (const char       *path,
               LtCifarBinParser *parser,
               guint8           *buf,
               GCancellable     *cancellable,
               GError          **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ok = TRUE;

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: cannot open %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  while (ok)
    {
      ssize_t n = read (fd, buf, READ_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "cifar10: cannot read %s at byte offset %" G_GUINT64_FORMAT ": %s",
                       path, parser->pos, g_strerror (saved));
          ok = FALSE;
        }
      else if (n == 0)
        ok = _lt_cifar10_bin_end (parser, error);
      else if (!_lt_cifar10_bin_feed (parser, buf, (gsize) n, error)
               || g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        continue;
      break;
    }
  close (fd);
  return ok;
}

static gboolean
stat_file (const char *path,
           guint64    *size,
           GError    **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: cannot open %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: %s is not a regular file", path);
      return FALSE;
    }
  *size = (guint64) st.st_size;
  return TRUE;
}

static gboolean
load_folder (const char    *folder,
             gboolean       train,
             LtTensor     **images,
             LtTensor     **labels,
             char        ***classes,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(LtTensor) im = NULL;
  g_autoptr(LtTensor) lb = NULL;
  g_autofree guint8 *buf = NULL;
  g_autofree char *meta_path = g_build_filename (folder, META_NAME, NULL);
  g_autofree char *meta = NULL;
  char *paths[N_BATCHES] = { NULL };
  guint64 sizes[N_BATCHES], meta_size;
  guint first = train ? 0 : TEST_BATCH, last = train ? TEST_BATCH : N_BATCHES;
  gint64 n = 0, start = 0;
  gsize meta_len;
  gboolean ok = FALSE;

  /* Sizes first: nothing is allocated for a file that is not right. */
  for (guint b = first; b < last; b++)
    {
      LtCifarBinParser check;

      paths[b] = g_build_filename (folder, batch_names[b], NULL);
      if (!stat_file (paths[b], &sizes[b], error)
          || !_lt_cifar10_bin_begin (&check, paths[b], sizes[b], error))
        goto out;
      n += (gint64) (sizes[b] / LT_CIFAR10_RECORD_SIZE);
    }
  if (!stat_file (meta_path, &meta_size, error))
    goto out;
  if (meta_size > META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GUINT64_FORMAT " bytes is too big for a list of class "
                   "names (at most %d)", meta_path, meta_size, META_MAX_SIZE);
      goto out;
    }
  if (!g_file_get_contents (meta_path, &meta, &meta_len, NULL))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: cannot read %s", meta_path);
      goto out;
    }
  *classes = _lt_cifar10_parse_meta ((const guint8 *) meta, meta_len, meta_path, error);
  if (*classes == NULL)
    goto out;

  im = new_images (n, error);
  lb = im ? new_labels (n, error) : NULL;
  if (lb == NULL)
    goto out;
  buf = g_malloc (READ_CHUNK);
  for (guint b = first; b < last; b++)
    {
      LtCifarBinParser parser;

      _lt_cifar10_bin_begin (&parser, paths[b], sizes[b], NULL);
      parser.images = (guint8 *) _lt_tensor_data (im) + start * LT_CIFAR10_IMAGE_SIZE;
      parser.labels = (gint64 *) _lt_tensor_data (lb) + start;
      if (!read_bin_file (paths[b], &parser, buf, cancellable, error))
        goto out;
      start += (gint64) (sizes[b] / LT_CIFAR10_RECORD_SIZE);
    }
  *images = g_steal_pointer (&im);
  *labels = g_steal_pointer (&lb);
  ok = TRUE;

out:
  if (!ok && *classes)
    g_clear_pointer (classes, g_strfreev);
  for (guint b = 0; b < N_BATCHES; b++)
    g_free (paths[b]);
  return ok;
}

/* The archive, read as a stream */

typedef struct
{
  const char *name;         /* the archive, for messages */
  gboolean train;
  GCancellable *cancellable;

  /* Owned: records in the order their members come */
  guint8 *images;
  gint64 *labels;
  gint64 n_records;
  gint64 cap_records;

  gboolean seen[N_BATCHES];
  gint64 first[N_BATCHES];
  gint64 count[N_BATCHES];
  char **classes;
} ArchiveLoad;

static void
archive_load_clear (ArchiveLoad *load)
{
  g_free (load->images);
  g_free (load->labels);
  g_strfreev (load->classes);
}

/* Room for @needed records, growing at most to @limit (what the member's
 * header promises) and never past twice what has arrived. */
static gboolean
ensure_records (ArchiveLoad *load,
                gint64       needed,
                gint64       limit,
                GError     **error)
{
  gint64 cap;
  guint8 *im;
  gint64 *lb;

  if (needed <= load->cap_records)
    return TRUE;
  cap = MAX (needed, MIN (load->cap_records * 2, limit));
  im = g_try_realloc (load->images, (gsize) cap * LT_CIFAR10_IMAGE_SIZE);
  if (im == NULL)
    goto oom;
  load->images = im;
  lb = g_try_realloc (load->labels, (gsize) cap * sizeof (gint64));
  if (lb == NULL)
    goto oom;
  load->labels = lb;
  load->cap_records = cap;
  return TRUE;

oom:
  g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
               "cifar10: %s: cannot allocate room for %" G_GINT64_FORMAT " images", load->name,
               cap);
  return FALSE;
}

static int
member_index (const char *path)
{
  while (g_str_has_prefix (path, "./"))
    path += 2;
  if (!g_str_has_prefix (path, LT_CIFAR10_FOLDER "/"))
    return -1;
  path += strlen (LT_CIFAR10_FOLDER "/");
  for (int b = 0; b < N_BATCHES; b++)
    if (strcmp (path, batch_names[b]) == 0)
      return b;
  if (strcmp (path, META_NAME) == 0)
    return N_BATCHES;
  return -1;
}

static gboolean
read_member_error (ArchiveLoad     *load,
                   struct archive  *a,
                   const char      *member,
                   guint64          pos,
                   GError         **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
               "cifar10: %s: member %s cannot be read at byte offset %" G_GUINT64_FORMAT ": %s",
               load->name, member, pos, archive_error_string (a));
  return FALSE;
}

static gboolean
read_meta_member (ArchiveLoad          *load,
                  struct archive       *a,
                  struct archive_entry *entry,
                  const char           *member,
                  GError              **error)
{
  g_autofree char *full = g_strdup_printf ("%s:%s", load->name, member);
  g_autofree guint8 *data = NULL;
  gint64 size = archive_entry_size (entry);
  gsize have = 0;

  if (size < 0 || size > META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GINT64_FORMAT " bytes is no size for a list of class "
                   "names (at most %d)", full, size, META_MAX_SIZE);
      return FALSE;
    }
  data = g_malloc (MAX (size, 1));
  while (have < (gsize) size)
    {
      la_ssize_t n = archive_read_data (a, data + have, (gsize) size - have);

      if (n < 0)
        return read_member_error (load, a, member, have, error);
      if (n == 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the data ends at byte offset %" G_GSIZE_FORMAT " of %"
                       G_GINT64_FORMAT, full, have, size);
          return FALSE;
        }
      have += (gsize) n;
    }
  load->classes = _lt_cifar10_parse_meta (data, have, full, error);
  return load->classes != NULL;
}

static gboolean
read_bin_member (ArchiveLoad          *load,
                 struct archive       *a,
                 struct archive_entry *entry,
                 int                   b,
                 const char           *member,
                 guint8               *buf,
                 GError              **error)
{
  g_autofree char *full = g_strdup_printf ("%s:%s", load->name, member);
  LtCifarBinParser parser;
  gint64 first = load->n_records, limit, size = archive_entry_size (entry);

  if (size < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "cifar10: %s: a negative size, %"
                   G_GINT64_FORMAT, full, size);
      return FALSE;
    }
  if (!_lt_cifar10_bin_begin (&parser, full, (guint64) size, error))
    return FALSE;
  limit = first + (gint64) (parser.size / LT_CIFAR10_RECORD_SIZE);
  for (;;)
    {
      la_ssize_t n = archive_read_data (a, buf, READ_CHUNK);
      gint64 reached;

      if (n < 0)
        {
          const char *why = archive_error_string (a);

          if (parser.pos % LT_CIFAR10_RECORD_SIZE != 0 || parser.pos < parser.size)
            set_truncated (&parser, why ? why : "the archive is cut", error);
          else
            read_member_error (load, a, member, parser.pos, error);
          return FALSE;
        }
      if (n == 0)
        break;
      reached = first + (gint64) ((parser.pos + (guint64) n + LT_CIFAR10_RECORD_SIZE - 1)
                                  / LT_CIFAR10_RECORD_SIZE);
      if (!ensure_records (load, MIN (reached, limit), limit, error))
        return FALSE;
      parser.images = load->images + first * LT_CIFAR10_IMAGE_SIZE;
      parser.labels = load->labels + first;
      if (!_lt_cifar10_bin_feed (&parser, buf, (gsize) n, error))
        return FALSE;
      if (g_cancellable_set_error_if_cancelled (load->cancellable, error))
        return FALSE;
    }
  if (!_lt_cifar10_bin_end (&parser, error))
    return FALSE;
  load->seen[b] = TRUE;
  load->first[b] = first;
  load->count[b] = limit - first;
  load->n_records = limit;
  return TRUE;
}

static gboolean
read_archive (ArchiveLoad    *load,
              struct archive *a,
              GError        **error)
{
  g_autofree guint8 *buf = g_malloc (READ_CHUNK);
  struct archive_entry *entry;
  int r;

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *path = archive_entry_pathname (entry);
      la_int64_t offset = archive_read_header_position (a);
      int b;

      if (!_lt_archive_path_is_safe (path))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the member \"%s\" (its header at byte offset %" G_GINT64_FORMAT
                       " of the unpacked stream) has %s; the archive is refused", load->name,
                       path ? path : "", (gint64) offset,
                       path == NULL || path[0] == '\0' ? "no name"
                       : path[0] == '/' || path[0] == '\\' ? "an absolute path"
                       : "a \"..\" component");
          return FALSE;
        }
      b = member_index (path);
      if (b < 0 || (b < N_BATCHES && (b == TEST_BATCH) == load->train))
        continue;
      if (archive_entry_filetype (entry) != AE_IFREG || !archive_entry_size_is_set (entry))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the member %s (its header at byte offset %" G_GINT64_FORMAT
                       ") is not a regular file", load->name, path, (gint64) offset);
          return FALSE;
        }
      if (b == N_BATCHES ? load->classes != NULL : load->seen[b])
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the member %s comes twice (again at byte offset %"
                       G_GINT64_FORMAT ")", load->name, path, (gint64) offset);
          return FALSE;
        }
      if (b == N_BATCHES ? !read_meta_member (load, a, entry, path, error)
                         : !read_bin_member (load, a, entry, b, path, buf, error))
        return FALSE;
      if (g_cancellable_set_error_if_cancelled (load->cancellable, error))
        return FALSE;
    }
  if (r != ARCHIVE_EOF)
    {
      /* After a fatal error libarchive has no header position (it returns
       * ARCHIVE_FATAL): say where the unpacked stream stopped instead. */
      la_int64_t at = archive_read_header_position (a);

      if (at < 0)
        at = archive_filter_bytes (a, 0);
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: not a readable tar archive (at byte offset %" G_GINT64_FORMAT
                   " of the unpacked stream): %s", load->name, (gint64) at,
                   archive_error_string (a));
      return FALSE;
    }
  for (int b = load->train ? 0 : TEST_BATCH; b < (load->train ? TEST_BATCH : N_BATCHES); b++)
    if (!load->seen[b])
      {
        g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: %s has no member %s/%s",
                     load->name, LT_CIFAR10_FOLDER, batch_names[b]);
        return FALSE;
      }
  if (load->classes == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: %s has no member %s/%s",
                   load->name, LT_CIFAR10_FOLDER, META_NAME);
      return FALSE;
    }
  return TRUE;
}

static LtTensor *
wrap_buffer (gpointer      data,
             gsize         nbytes,
             const gint64 *shape,
             guint         ndim,
             LtDType       dtype)
{
  LtStorage *storage = _lt_storage_new_wrap (data, nbytes, g_free, data);
  LtTensor *t = _lt_tensor_new_with_storage (storage, shape, NULL, ndim, 0, dtype);

  lt_storage_unref (storage);
  return t;
}

/* The records in batch order: the buffers themselves when the members came
 * in order, else copies. */
static gboolean
archive_finish (ArchiveLoad *load,
                LtTensor   **images,
                LtTensor   **labels,
                GError     **error)
{
  int b0 = load->train ? 0 : TEST_BATCH, b1 = load->train ? TEST_BATCH : N_BATCHES;
  gint64 n = load->n_records, start = 0;
  gint64 shape[] = { n, 3, 32, 32 };
  gboolean in_order = TRUE;

  for (int b = b0; b < b1; b++)
    {
      in_order = in_order && load->first[b] == start;
      start += load->count[b];
    }
  if (n == 0)
    {
      *images = new_images (0, error);
      *labels = new_labels (0, error);
      return TRUE;
    }
  if (in_order)
    {
      guint8 *im = g_realloc (g_steal_pointer (&load->images), (gsize) n * LT_CIFAR10_IMAGE_SIZE);
      gint64 *lb = g_realloc (g_steal_pointer (&load->labels), (gsize) n * sizeof (gint64));

      *images = wrap_buffer (im, (gsize) n * LT_CIFAR10_IMAGE_SIZE, shape, 4, LT_DTYPE_UINT8);
      *labels = wrap_buffer (lb, (gsize) n * sizeof (gint64), &n, 1, LT_DTYPE_INT64);
      return TRUE;
    }
  else
    {
      g_autoptr(LtTensor) im = new_images (n, error);
      g_autoptr(LtTensor) lb = im ? new_labels (n, error) : NULL;
      guint8 *dst_im;
      gint64 *dst_lb;

      if (lb == NULL)
        return FALSE;
      dst_im = _lt_tensor_data (im);
      dst_lb = _lt_tensor_data (lb);
      start = 0;
      for (int b = b0; b < b1; b++)
        {
          memcpy (dst_im + start * LT_CIFAR10_IMAGE_SIZE,
                  load->images + load->first[b] * LT_CIFAR10_IMAGE_SIZE,
                  (gsize) load->count[b] * LT_CIFAR10_IMAGE_SIZE);
          memcpy (dst_lb + start, load->labels + load->first[b],
                  (gsize) load->count[b] * sizeof (gint64));
          start += load->count[b];
        }
      *images = g_steal_pointer (&im);
      *labels = g_steal_pointer (&lb);
      return TRUE;
    }
}

static struct archive *
new_reader (void)
{
  struct archive *a = archive_read_new ();

  /* The compressions libarchive decodes in-process: "all" would also run
   * external programs (lrzip, lzop, grzip...) picked by the file's bytes. */
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_bzip2 (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_lzma (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_lz4 (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  return a;
}

static gboolean
load_archive (struct archive *a,
              const char     *name,
              gboolean        train,
              LtTensor      **images,
              LtTensor      **labels,
              char         ***classes,
              GCancellable   *cancellable,
              GError        **error)
{
  ArchiveLoad load = { .name = name, .train = train, .cancellable = cancellable };
  gboolean ok = read_archive (&load, a, error) && archive_finish (&load, images, labels, error);

  if (ok)
    *classes = g_steal_pointer (&load.classes);
  archive_load_clear (&load);
  return ok;
}

gboolean
_lt_cifar10_parse_archive (const guint8 *data,
                           gsize         len,
                           const char   *name,
                           gboolean      train,
                           LtTensor    **images,
                           LtTensor    **labels,
                           char       ***classes,
                           GError      **error)
{
  struct archive *a = new_reader ();
  gboolean ok;

  if (archive_read_open_memory (a, data, len) != ARCHIVE_OK)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "cifar10: %s: not a readable archive: %s",
                   name, archive_error_string (a));
      archive_read_free (a);
      return FALSE;
    }
  ok = load_archive (a, name, train, images, labels, classes, NULL, error);
  archive_read_free (a);
  return ok;
}

static gboolean
load_archive_file (const char    *path,
                   gboolean       train,
                   LtTensor     **images,
                   LtTensor     **labels,
                   char        ***classes,
                   GCancellable  *cancellable,
                   GError       **error)
{
  struct archive *a = new_reader ();
  gboolean ok;

  if (archive_read_open_filename (a, path, READ_CHUNK) != ARCHIVE_OK)
    {
      int e = archive_errno (a);
      gboolean system = e == ENOENT || e == EACCES || e == EPERM || e == EISDIR || e == ENOTDIR
                        || e == ELOOP || e == EIO || e == EMFILE || e == ENFILE || e == ENOMEM;

      /* A file that opens but is no readable archive is a format error. */
      g_set_error (error, LT_ERROR, system ? LT_ERROR_IO : LT_ERROR_FORMAT,
                   "cifar10: cannot open %s: %s", path, archive_error_string (a));
      archive_read_free (a);
      return FALSE;
    }
  ok = load_archive (a, path, train, images, labels, classes, cancellable, error);
  archive_read_free (a);
  return ok;
}

/* The dataset */

static gint64
lt_cifar10_get_length (LtDataset *dataset)
{
  LtCifar10 *self = LT_CIFAR10 (dataset);

  return lt_tensor_get_size (self->labels, 0, NULL);
}

static gboolean
lt_cifar10_get_item (LtDataset *dataset,
                     gint64     index,
                     LtTensor **input,
                     LtTensor **target,
                     GError   **error)
{
  LtCifar10 *self = LT_CIFAR10 (dataset);
  g_autoptr(LtTensor) image = _lt_data_item_view (self->images, index, 0);
  gint64 label = ((const gint64 *) _lt_tensor_data (self->labels))[index];

  return _lt_data_finish_item (image, label, self->transform, self->target_transform,
                               input, target, error);
}

static void
lt_cifar10_dataset_init (LtDatasetInterface *iface)
{
  iface->get_length = lt_cifar10_get_length;
  iface->get_item = lt_cifar10_get_item;
}

static void
lt_cifar10_finalize (GObject *object)
{
  LtCifar10 *self = LT_CIFAR10 (object);

  g_clear_object (&self->images);
  g_clear_object (&self->labels);
  g_strfreev (self->classes);
  g_clear_object (&self->transform);
  g_clear_object (&self->target_transform);
  G_OBJECT_CLASS (lt_cifar10_parent_class)->finalize (object);
}

static void
lt_cifar10_class_init (LtCifar10Class *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_cifar10_finalize;
}

static void
lt_cifar10_init (LtCifar10 *self)
{
}

static const char *
cifar10_url (void)
{
  const char *url = g_getenv ("LT_CIFAR10_URL");

  return url && *url ? url : LT_CIFAR10_URL;
}

static void
add_by_hand_hint (GError     **error,
                  const char  *root)
{
  if (error && *error && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *e = *error;
      char *msg = g_strdup_printf ("%s. To install CIFAR-10 by hand, download %s (MD5 %s) "
                                   "into %s, extracted or not", e->message, LT_CIFAR10_URL,
                                   LT_CIFAR10_MD5, root);

      g_free (e->message);
      e->message = msg;
    }
}

/**
 * lt_cifar10_download:
 * @root: the dataset's root folder (created if needed)
 * @progress: (scope call) (closure user_data) (nullable): called as the
 *   bytes arrive
 * @user_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Downloads the CIFAR-10 archive from %LT_CIFAR10_URL (or the mirror the
 * environment variable `LT_CIFAR10_URL` names) to
 * @root/cifar-10-binary.tar.gz with lt_download_file(): resumable, checked
 * against %LT_CIFAR10_MD5, written atomically. An archive that is there and
 * right is kept. Nothing is unpacked: lt_cifar10_new() reads the archive.
 *
 * This blocks; run it in a thread from a user interface.
 *
 * Returns: %TRUE when the archive is in place; %FALSE with @error set (its
 *   message says what failed and where to put the file by hand)
 */
gboolean
lt_cifar10_download (const char             *root,
                     LtDownloadProgressFunc  progress,
                     gpointer                user_data,
                     GCancellable           *cancellable,
                     GError                **error)
{
  g_autofree char *path = NULL;
  GError *local = NULL;

  g_return_val_if_fail (root != NULL, FALSE);

  if (g_mkdir_with_parents (root, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: cannot create the folder %s: %s",
                   root, g_strerror (saved));
      add_by_hand_hint (error, root);
      return FALSE;
    }
  path = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);
  if (!lt_download_file (cifar10_url (), path, LT_CIFAR10_MD5, progress, user_data, cancellable,
                         &local))
    {
      add_by_hand_hint (&local, root);
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_cifar10_new:
 * @root: the dataset's root folder
 * @train: %TRUE for the training set (50,000 images), %FALSE for the test
 *   set (10,000)
 * @transform: (nullable): a transform for the images (uint8, (3, 32, 32))
 * @target_transform: (nullable): a transform for the labels (0-dim int64)
 * @download: whether to download the archive when @root holds neither the
 *   extracted folder nor the archive
 * @cancellable: (nullable): a #GCancellable for the download and the reading
 * @error: return location for a #GError
 *
 * Loads CIFAR-10 from @root: the folder `cifar-10-batches-bin/` when it is
 * there, else the archive `cifar-10-binary.tar.gz` read as a stream, else
 * (with @download) the archive after lt_cifar10_download().
 *
 * Returns: (transfer full) (nullable): the dataset, or %NULL with @error
 *   set: %LT_ERROR_IO for a missing file (the message says where to put the
 *   data), %LT_ERROR_FORMAT for a file that is not right (it names the file
 *   and the byte offset)
 */
LtCifar10 *
lt_cifar10_new (const char    *root,
                gboolean       train,
                LtTransform   *transform,
                LtTransform   *target_transform,
                gboolean       download,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(LtCifar10) self = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *archive = NULL;
  gboolean ok;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (transform == NULL || LT_IS_TRANSFORM (transform), NULL);
  g_return_val_if_fail (target_transform == NULL || LT_IS_TRANSFORM (target_transform), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (LT_TYPE_CIFAR10, NULL);
  self->train = train;
  folder = g_build_filename (root, LT_CIFAR10_FOLDER, NULL);
  archive = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);

  if (g_file_test (folder, G_FILE_TEST_IS_DIR))
    ok = load_folder (folder, train, &self->images, &self->labels, &self->classes,
                      cancellable, error);
  else if (g_file_test (archive, G_FILE_TEST_EXISTS)
           || (download && lt_cifar10_download (root, NULL, NULL, cancellable, error)))
    ok = load_archive_file (archive, train, &self->images, &self->labels, &self->classes,
                            cancellable, error);
  else
    {
      if (!download)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "cifar10: no CIFAR-10 data in %s: neither %s/ nor %s exists. Download %s "
                       "(MD5 %s) into %s, extracted or not, or ask for the download",
                       root, folder, archive, LT_CIFAR10_URL, LT_CIFAR10_MD5, root);
        }
      return NULL;
    }
  if (!ok)
    return NULL;

  if (transform)
    self->transform = g_object_ref (transform);
  if (target_transform)
    self->target_transform = g_object_ref (target_transform);
  return g_steal_pointer (&self);
}

/**
 * lt_cifar10_get_classes:
 * @self: a CIFAR-10 dataset
 *
 * Gets the class names, from `batches.meta.txt`: label i is class i.
 *
 * Returns: (transfer none) (array zero-terminated=1): the 10 class names
 */
const char * const *
lt_cifar10_get_classes (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), NULL);
  return (const char * const *) self->classes;
}

/**
 * lt_cifar10_get_images:
 * @self: a CIFAR-10 dataset
 *
 * Gets all the images, as torchvision's `data` (but channels first).
 *
 * Returns: (transfer none): a uint8 tensor of shape (N, 3, 32, 32)
 */
LtTensor *
lt_cifar10_get_images (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), NULL);
  return self->images;
}

/**
 * lt_cifar10_get_labels:
 * @self: a CIFAR-10 dataset
 *
 * Gets all the labels, as torchvision's `targets`.
 *
 * Returns: (transfer none): an int64 tensor of shape (N)
 */
LtTensor *
lt_cifar10_get_labels (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), NULL);
  return self->labels;
}

/**
 * lt_cifar10_get_train:
 * @self: a CIFAR-10 dataset
 *
 * Tells whether @self is the training set.
 *
 * Returns: %TRUE for the training set, %FALSE for the test set
 */
gboolean
lt_cifar10_get_train (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), FALSE);
  return self->train;
}

/**
 * lt_cifar10_get_transform:
 * @self: a CIFAR-10 dataset
 *
 * Gets the transform applied to the images.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_cifar10_get_transform (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), NULL);
  return self->transform;
}

/**
 * lt_cifar10_get_target_transform:
 * @self: a CIFAR-10 dataset
 *
 * Gets the transform applied to the labels.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_cifar10_get_target_transform (LtCifar10 *self)
{
  g_return_val_if_fail (LT_IS_CIFAR10 (self), NULL);
  return self->target_transform;
}
