/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <archive.h>
#include <archive_entry.h>

#include "lt-cifar10.h"
#include "lt-datasets-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-creation.h"

/*
 * The CIFAR-10 parsers (lt-datasets-private.h), apart from the dataset
 * class (lt-cifar10.c) that reads files with them: the records of a .bin
 * batch, fed whole or in pieces; batches.meta.txt; and the tar archive
 * (gzipped or not) read as a stream with libarchive, from memory (the fuzz
 * target) or from a file descriptor. Every size is checked before
 * anything is allocated for it, and every error names the file and the
 * byte offset.
 */

#define READ_CHUNK (1 << 20)

const char *const _lt_cifar10_batch_names[LT_CIFAR10_N_BATCHES] = {
  "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
  "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin",
};

/* The record parser */

gboolean
_lt_cifar10_bin_begin (LtCifarBinParser *parser, const char *name, guint64 size, GError **error)
{
  parser->name = name;
  parser->size = size;
  parser->pos = 0;
  if (size == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s is empty: the batch's first 3,073-byte record is missing at "
                   "byte offset 0 (was the file cut, or not written?)",
                   name);
      return FALSE;
    }
  if (size % LT_CIFAR10_RECORD_SIZE != 0)
    {
      guint64 last = size - size % LT_CIFAR10_RECORD_SIZE;

      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: its size, %" G_GUINT64_FORMAT " bytes, is not a multiple of the "
                   "3,073-byte record: the record at byte offset %" G_GUINT64_FORMAT
                   " has only %" G_GUINT64_FORMAT " bytes",
                   name, size, last, size - last);
      return FALSE;
    }
  return TRUE;
}

gboolean
_lt_cifar10_bin_feed (LtCifarBinParser *parser, const guint8 *data, gsize len, GError **error)
{
  if (len > parser->size - parser->pos)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: more bytes than its size, %" G_GUINT64_FORMAT
                   ", at byte offset %" G_GUINT64_FORMAT,
                   parser->name, parser->size, parser->size);
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
set_truncated (LtCifarBinParser *parser, const char *why, GError **error)
{
  guint64 start = parser->pos - parser->pos % LT_CIFAR10_RECORD_SIZE;

  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
               "cifar10: %s: truncated record at byte offset %" G_GUINT64_FORMAT ": the data "
               "ends at byte offset %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT "%s%s",
               parser->name, start, parser->pos, parser->size, why ? ": " : "", why ? why : "");
}

gboolean
_lt_cifar10_bin_end (LtCifarBinParser *parser, GError **error)
{
  if (parser->pos != parser->size)
    {
      set_truncated (parser, NULL, error);
      return FALSE;
    }
  return TRUE;
}

LtTensor *
_lt_cifar10_new_images (gint64 n, GError **error)
{
  gint64 shape[] = { n, 3, 32, 32 };

  return lt_empty (shape, 4, LT_DTYPE_UINT8, error);
}

LtTensor *
_lt_cifar10_new_labels (gint64 n, GError **error)
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
  im = _lt_cifar10_new_images ((gint64) (len / LT_CIFAR10_RECORD_SIZE), error);
  if (im == NULL)
    return FALSE;
  lb = _lt_cifar10_new_labels ((gint64) (len / LT_CIFAR10_RECORD_SIZE), error);
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
_lt_cifar10_parse_meta (const guint8 *data, gsize len, const char *name, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *end;
  gsize       pos = 0;

  if (len > LT_CIFAR10_META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GSIZE_FORMAT " bytes is too big for a list of class names "
                   "(at most %d)",
                   name, len, LT_CIFAR10_META_MAX_SIZE);
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
      const guint8    *nl = memchr (data + pos, '\n', len - pos);
      gsize            line_end = nl ? (gsize) (nl - data) : len;
      g_autofree char *line = g_strndup ((const char *) data + pos, line_end - pos);

      g_strstrip (line);
      if (line[0] != '\0')
        {
          if (names->len == LT_CIFAR10_N_CLASSES)
            {
              g_set_error (
                error, LT_ERROR, LT_ERROR_FORMAT,
                "cifar10: %s: more than 10 class names (the 11th at byte offset %" G_GSIZE_FORMAT
                ")",
                name, pos);
              return NULL;
            }
          g_ptr_array_add (names, g_steal_pointer (&line));
        }
      pos = line_end + 1;
    }
  if (names->len != LT_CIFAR10_N_CLASSES)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_FORMAT,
        "cifar10: %s: %u class names instead of 10 (the file ends at byte offset %" G_GSIZE_FORMAT
        ")",
        name, names->len, len);
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

/* The archive, read as a stream */

typedef struct
{
  const char   *name; /* the archive, for messages */
  gboolean      train;
  GCancellable *cancellable;

  /* Owned: records in the order their members come */
  guint8 *images;
  gint64 *labels;
  gint64  n_records;
  gint64  cap_records;

  gboolean seen[LT_CIFAR10_N_BATCHES];
  gint64   first[LT_CIFAR10_N_BATCHES];
  gint64   count[LT_CIFAR10_N_BATCHES];
  char   **classes;
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
ensure_records (ArchiveLoad *load, gint64 needed, gint64 limit, GError **error)
{
  gint64  cap;
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
  for (int b = 0; b < LT_CIFAR10_N_BATCHES; b++)
    if (strcmp (path, _lt_cifar10_batch_names[b]) == 0)
      return b;
  if (strcmp (path, LT_CIFAR10_META_NAME) == 0)
    return LT_CIFAR10_N_BATCHES;
  return -1;
}

static gboolean
read_member_error (ArchiveLoad    *load,
                   struct archive *a,
                   const char     *member,
                   guint64         pos,
                   GError        **error)
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
  g_autofree char   *full = g_strdup_printf ("%s:%s", load->name, member);
  g_autofree guint8 *data = NULL;
  gint64             size = archive_entry_size (entry);
  gsize              have = 0;

  if (size < 0 || size > LT_CIFAR10_META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GINT64_FORMAT " bytes is no size for a list of class "
                   "names (at most %d)",
                   full, size, LT_CIFAR10_META_MAX_SIZE);
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
                       "cifar10: %s: the data ends at byte offset %" G_GSIZE_FORMAT
                       " of %" G_GINT64_FORMAT,
                       full, have, size);
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
  gint64           first = load->n_records, limit, size = archive_entry_size (entry);

  if (size < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: a negative size, %" G_GINT64_FORMAT, full, size);
      return FALSE;
    }
  if (!_lt_cifar10_bin_begin (&parser, full, (guint64) size, error))
    return FALSE;
  limit = first + (gint64) (parser.size / LT_CIFAR10_RECORD_SIZE);
  for (;;)
    {
      la_ssize_t n = archive_read_data (a, buf, READ_CHUNK);
      gint64     reached;

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
      reached = first + (gint64) ((parser.pos + (guint64) n + LT_CIFAR10_RECORD_SIZE - 1) /
                                  LT_CIFAR10_RECORD_SIZE);
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
read_archive (ArchiveLoad *load, struct archive *a, GError **error)
{
  g_autofree guint8    *buf = g_malloc (READ_CHUNK);
  struct archive_entry *entry;
  int                   r;

  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *path = archive_entry_pathname (entry);
      la_int64_t  offset = archive_read_header_position (a);
      int         b;

      if (!_lt_archive_path_is_safe (path))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the member \"%s\" (its header at byte offset %" G_GINT64_FORMAT
                       " of the unpacked stream) has %s; the archive is refused",
                       load->name, path ? path : "", (gint64) offset,
                       path == NULL || path[0] == '\0'     ? "no name"
                       : path[0] == '/' || path[0] == '\\' ? "an absolute path"
                                                           : "a \"..\" component");
          return FALSE;
        }
      b = member_index (path);
      if (b < 0 || (b < LT_CIFAR10_N_BATCHES && (b == LT_CIFAR10_TEST_BATCH) == load->train))
        continue;
      if (archive_entry_filetype (entry) != AE_IFREG || !archive_entry_size_is_set (entry))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "cifar10: %s: the member %s (its header at byte offset %" G_GINT64_FORMAT
                       ") is not a regular file",
                       load->name, path, (gint64) offset);
          return FALSE;
        }
      if (b == LT_CIFAR10_N_BATCHES ? load->classes != NULL : load->seen[b])
        {
          g_set_error (
            error, LT_ERROR, LT_ERROR_FORMAT,
            "cifar10: %s: the member %s comes twice (again at byte offset %" G_GINT64_FORMAT ")",
            load->name, path, (gint64) offset);
          return FALSE;
        }
      if (b == LT_CIFAR10_N_BATCHES ? !read_meta_member (load, a, entry, path, error)
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
                   " of the unpacked stream): %s",
                   load->name, (gint64) at, archive_error_string (a));
      return FALSE;
    }
  for (int b = load->train ? 0 : LT_CIFAR10_TEST_BATCH;
       b < (load->train ? LT_CIFAR10_TEST_BATCH : LT_CIFAR10_N_BATCHES); b++)
    if (!load->seen[b])
      {
        g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: %s has no member %s/%s", load->name,
                     LT_CIFAR10_FOLDER, _lt_cifar10_batch_names[b]);
        return FALSE;
      }
  if (load->classes == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: %s has no member %s/%s", load->name,
                   LT_CIFAR10_FOLDER, LT_CIFAR10_META_NAME);
      return FALSE;
    }
  return TRUE;
}

static LtTensor *
wrap_buffer (gpointer data, gsize nbytes, const gint64 *shape, guint ndim, LtDType dtype)
{
  LtStorage *storage = _lt_storage_new_wrap (data, nbytes, g_free, data);
  LtTensor  *t = _lt_tensor_new_with_storage (storage, shape, NULL, ndim, 0, dtype);

  lt_storage_unref (storage);
  return t;
}

/* The records in batch order: the buffers themselves when the members came
 * in order, else copies. */
static gboolean
archive_finish (ArchiveLoad *load, LtTensor **images, LtTensor **labels, GError **error)
{
  int b0 = load->train ? 0 : LT_CIFAR10_TEST_BATCH,
      b1 = load->train ? LT_CIFAR10_TEST_BATCH : LT_CIFAR10_N_BATCHES;
  gint64   n = load->n_records, start = 0;
  gint64   shape[] = { n, 3, 32, 32 };
  gboolean in_order = TRUE;

  for (int b = b0; b < b1; b++)
    {
      in_order = in_order && load->first[b] == start;
      start += load->count[b];
    }
  if (n == 0)
    {
      *images = _lt_cifar10_new_images (0, error);
      *labels = _lt_cifar10_new_labels (0, error);
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
      g_autoptr(LtTensor) im = _lt_cifar10_new_images (n, error);
      g_autoptr(LtTensor) lb = im ? _lt_cifar10_new_labels (n, error) : NULL;
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
  gboolean    ok = read_archive (&load, a, error) && archive_finish (&load, images, labels, error);

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
  gboolean        ok;

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

gboolean
_lt_cifar10_parse_archive_fd (int           fd,
                              const char   *name,
                              gboolean      train,
                              LtTensor    **images,
                              LtTensor    **labels,
                              char       ***classes,
                              GCancellable *cancellable,
                              GError      **error)
{
  struct archive *a = new_reader ();
  gboolean        ok;

  if (archive_read_open_fd (a, fd, READ_CHUNK) != ARCHIVE_OK)
    {
      /* A file that opens but is no readable archive is a format error. */
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "cifar10: cannot open %s: %s", name,
                   archive_error_string (a));
      archive_read_free (a);
      return FALSE;
    }
  ok = load_archive (a, name, train, images, labels, classes, cancellable, error);
  archive_read_free (a);
  return ok;
}
