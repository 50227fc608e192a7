/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the CIFAR-10 parsers (libtensor/data/lt-cifar10-parser.c). The
 * input is read as:
 *   - a .bin file, whole (_lt_cifar10_parse_bin) and fed in pieces of
 *     varying sizes (_lt_cifar10_bin_begin/feed/end), which must agree
 *     with each other and with the format itself: success exactly when the
 *     size is a non-zero multiple of 3,073 and every label byte is under 10, and
 *     then the same labels and pixels as the bytes;
 *   - the same file cut one byte short and fed one byte too many, which
 *     must fail;
 *   - batches.meta.txt (_lt_cifar10_parse_meta): on success, 10 non-empty
 *     stripped one-line UTF-8 names;
 *   - a cifar-10-binary.tar.gz, or any tar libarchive reads, for the
 *     training and the test set (_lt_cifar10_parse_archive): on success,
 *     (N, 3, 32, 32) uint8 images, N int64 labels under 10, 10 names;
 *   - an archive member's path (_lt_archive_path_is_safe): "safe" never
 *     holds an absolute path or a ".." component.
 * No input may make the archive reader start a program (posix_spawnp is
 * replaced by an abort).
 * Every failure must be an LT_ERROR naming the input.
 */
#include <spawn.h>

#include "fuzz-common.h"

#include "data/lt-datasets-private.h"

#define BIN_NAME "fuzz-batch.bin"
#define META_NAME "fuzz-batches.meta.txt"
#define ARCHIVE_NAME "fuzz-cifar.tar.gz"

/* What the format says of @data as a .bin file. */
static gboolean
bin_is_valid (const uint8_t *data,
              size_t         size)
{
  if (size == 0 || size % LT_CIFAR10_RECORD_SIZE != 0)
    return FALSE;
  for (size_t r = 0; r < size; r += LT_CIFAR10_RECORD_SIZE)
    if (data[r] >= LT_CIFAR10_N_CLASSES)
      return FALSE;
  return TRUE;
}

/* @images and @labels hold the records of @data. */
static void
check_records (const uint8_t *data,
               size_t         n,
               const guint8  *images,
               const gint64  *labels)
{
  for (size_t r = 0; r < n; r++)
    {
      const uint8_t *rec = data + r * LT_CIFAR10_RECORD_SIZE;

      FUZZ_CHECK (labels[r] == rec[0]);
      FUZZ_CHECK (memcmp (images + r * LT_CIFAR10_IMAGE_SIZE, rec + 1,
                          LT_CIFAR10_IMAGE_SIZE) == 0);
    }
}

static void
fuzz_bin (const uint8_t *data,
          size_t         size)
{
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_autoptr(GError) error = NULL;
  gboolean valid = bin_is_valid (data, size);
  gboolean ok = _lt_cifar10_parse_bin (data, size, BIN_NAME, &images, &labels, &error);

  FUZZ_CHECK_RESULT (ok, error, BIN_NAME);
  FUZZ_CHECK (ok == valid);
  if (ok)
    {
      gint64 n = (gint64) (size / LT_CIFAR10_RECORD_SIZE);
      gint64 ishape[] = { n, 3, 32, 32 };

      fuzz_check_tensor (images, LT_DTYPE_UINT8, ishape, 4);
      fuzz_check_tensor (labels, LT_DTYPE_INT64, &n, 1);
      check_records (data, (size_t) n, _lt_tensor_data (images), _lt_tensor_data (labels));
    }
  else
    {
      FUZZ_CHECK (images == NULL);
      FUZZ_CHECK (labels == NULL);
    }
}

/* The streaming parser, fed @size bytes of @data (the file claims
 * @claimed bytes) in pieces; then one byte more when @extra. */
static void
fuzz_stream (const uint8_t *data,
             size_t         size,
             guint64        claimed,
             gboolean       extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *images = NULL;
  g_autofree gint64 *labels = NULL;
  LtCifarBinParser parser = { 0 };
  guint32 rng = fuzz_seed (data, size);
  size_t pos = 0, n_records;
  gboolean ok;

  ok = _lt_cifar10_bin_begin (&parser, BIN_NAME, claimed, &error);
  FUZZ_CHECK_RESULT (ok, error, BIN_NAME);
  FUZZ_CHECK (ok == (claimed > 0 && claimed % LT_CIFAR10_RECORD_SIZE == 0));
  if (!ok)
    return;
  /* Room for every record the bytes reach, exactly: AddressSanitizer
   * catches a write past it. */
  n_records = (size + LT_CIFAR10_RECORD_SIZE - 1) / LT_CIFAR10_RECORD_SIZE;
  images = g_malloc (MAX (n_records * LT_CIFAR10_IMAGE_SIZE, 1));
  labels = g_new (gint64, MAX (n_records, 1));
  parser.images = images;
  parser.labels = labels;
  while (ok && pos < size)
    {
      size_t want = 1 + fuzz_next (&rng) % 5000;
      size_t piece = MIN (size - pos, want);

      ok = _lt_cifar10_bin_feed (&parser, data + pos, piece, &error);
      FUZZ_CHECK_RESULT (ok, error, BIN_NAME);
      pos += piece;
    }
  if (ok && extra)
    {
      static const uint8_t zero = 0;

      ok = _lt_cifar10_bin_feed (&parser, &zero, 1, &error);
      FUZZ_CHECK_RESULT (ok, error, BIN_NAME);
      FUZZ_CHECK (!ok);
      return;
    }
  if (ok)
    {
      ok = _lt_cifar10_bin_end (&parser, &error);
      FUZZ_CHECK_RESULT (ok, error, BIN_NAME);
      FUZZ_CHECK (ok == (size == claimed));
    }
  if (size == claimed)
    {
      FUZZ_CHECK (ok == bin_is_valid (data, size));
      if (ok)
        check_records (data, n_records, images, labels);
    }
  else
    FUZZ_CHECK (!ok);
}

static void
fuzz_meta (const uint8_t *data,
           size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = _lt_cifar10_parse_meta (data, size, META_NAME, &error);

  FUZZ_CHECK_RESULT (names != NULL, error, META_NAME);
  if (names == NULL)
    return;
  FUZZ_CHECK (g_strv_length (names) == LT_CIFAR10_N_CLASSES);
  for (guint i = 0; names[i]; i++)
    {
      size_t len = strlen (names[i]);

      FUZZ_CHECK (len > 0 && len <= size);
      FUZZ_CHECK (g_utf8_validate (names[i], -1, NULL));
      FUZZ_CHECK (strchr (names[i], '\n') == NULL);
      FUZZ_CHECK (!g_ascii_isspace (names[i][0]) && !g_ascii_isspace (names[i][len - 1]));
    }
}

static void
fuzz_archive (const uint8_t *data,
              size_t         size,
              gboolean       train)
{
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_autoptr(GError) error = NULL;
  char **classes = NULL;
  gboolean ok = _lt_cifar10_parse_archive (data, size, ARCHIVE_NAME, train, &images, &labels,
                                           &classes, &error);

  FUZZ_CHECK_RESULT (ok, error, ARCHIVE_NAME);
  if (ok)
    {
      gint64 n;
      gint64 ishape[4];
      const gint64 *lb;

      FUZZ_CHECK (LT_IS_TENSOR (labels) && labels->ndim == 1);
      n = labels->shape[0];
      ishape[0] = n;
      ishape[1] = 3;
      ishape[2] = ishape[3] = 32;
      fuzz_check_tensor (images, LT_DTYPE_UINT8, ishape, 4);
      fuzz_check_tensor (labels, LT_DTYPE_INT64, &n, 1);
      lb = _lt_tensor_data (labels);
      for (gint64 i = 0; i < n; i++)
        FUZZ_CHECK (lb[i] >= 0 && lb[i] < LT_CIFAR10_N_CLASSES);
      FUZZ_CHECK (classes != NULL && g_strv_length (classes) == LT_CIFAR10_N_CLASSES);
    }
  else
    {
      FUZZ_CHECK (images == NULL && labels == NULL && classes == NULL);
      /* libarchive's positions are negative after a fatal error. */
      FUZZ_CHECK (!fuzz_message_has (error->message, "byte offset -"));
    }
  g_strfreev (classes);
}

/* libarchive can run external programs (lrzip, lzop, grzip...) to unpack
 * some compressions; the bytes of an archive must never make the library
 * start a process. This definition takes the place of the C library's
 * (and of the sanitizer's interceptor). */
int
posix_spawnp (pid_t                            *pid,
              const char                       *file,
              const posix_spawn_file_actions_t *file_actions,
              const posix_spawnattr_t          *attrp,
              char *const                       argv[],
              char *const                       envp[])
{
  fprintf (stderr, "fuzz-cifar: the archive reader tried to run \"%s\"\n", file);
  abort ();
}

static void
fuzz_path (const uint8_t *data,
           size_t         size)
{
  g_autofree char *path = g_strndup ((const char *) data, MIN (size, (size_t) 4096));
  g_auto(GStrv) parts = NULL;

  if (!_lt_archive_path_is_safe (path))
    return;
  FUZZ_CHECK (path[0] != '\0' && path[0] != '/' && path[0] != '\\');
  parts = g_strsplit_set (path, "/\\", -1);
  for (guint i = 0; parts[i]; i++)
    FUZZ_CHECK (strcmp (parts[i], "..") != 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_init (data, size);

  fuzz_bin (data, size);
  fuzz_stream (data, size, size, FALSE);
  fuzz_stream (data, size, size, TRUE);
  if (size > 0)
    {
      /* Cut short: the file claims a size it does not reach. */
      size_t cut = size - 1 - (size_t) (fuzz_seed (data, size) % size);

      fuzz_stream (data, cut, size, FALSE);
    }
  fuzz_meta (data, size);
  fuzz_archive (data, size, TRUE);
  fuzz_archive (data, size, FALSE);
  fuzz_path (data, size);
  return 0;
}
