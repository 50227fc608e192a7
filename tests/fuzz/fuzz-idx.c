/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the IDX (MNIST) readers (libtensor/data/lt-mnist.c). The
 * input is an IDX file, raw or gzipped, or an MNIST pair (an image file
 * followed by its label file, raw or the two gzipped together):
 *   - the file is read through _lt_data_read_file(), which unpacks gzip
 *     holding one IDX file, stopping at the size its header declares (the
 *     input is written to a memfd and opened by its /proc path); raw
 *     input must come back unchanged, gzip input unpacked must be a valid
 *     IDX file (a gzipped MNIST pair is refused, and goes to the parsers
 *     raw);
 *   - the unpacked bytes go to _lt_idx_parse_header() and _lt_idx_parse(),
 *     checked against the format read here independently: 00 00, a type
 *     byte, at most LT_MAX_DIMS dimensions, big-endian u32 sizes whose
 *     product (times the element size) fits 64 bits and equals the data
 *     that follows, and whose product counting zeros as ones (a tensor's
 *     strides) fits a gint64; the tensor then holds the byte-swapped
 *     values;
 *   - the unpacked bytes are split into an image file and a label file (at
 *     the end the first header announces, else in the middle) for
 *     _lt_mnist_parse(), which must succeed exactly when both are valid,
 *     u8 in 3 and 1 dimensions with the same count and labels under 10.
 * Every failure must be an LT_ERROR naming the file.
 */
#define _GNU_SOURCE /* memfd_create */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-common.h"

#include "data/lt-datasets-private.h"

#define IMAGES_NAME "fuzz-images-idx3-ubyte"
#define LABELS_NAME "fuzz-labels-idx1-ubyte"
#define IDX_NAME "fuzz-idx"

typedef struct
{
  gboolean valid;
  guint8 type;
  gsize es;
  guint ndim;
  gint64 dims[LT_MAX_DIMS];
  gsize offset;
} Idx;

static gsize
type_size (guint8 type)
{
  switch (type)
    {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
    }
}

static LtDType
type_dtype (guint8 type)
{
  switch (type)
    {
    case 0x08: return LT_DTYPE_UINT8;
    case 0x09: return LT_DTYPE_INT8;
    case 0x0B: return LT_DTYPE_INT16;
    case 0x0C: return LT_DTYPE_INT32;
    case 0x0D: return LT_DTYPE_FLOAT32;
    default: return LT_DTYPE_FLOAT64;
    }
}

/* The format, read without the library. */
static Idx
idx_read (const uint8_t *data,
          size_t         len)
{
  Idx idx = { 0 };
  guint64 total, span = 1;

  if (len < 4 || data[0] != 0 || data[1] != 0 || type_size (data[2]) == 0)
    return idx;
  idx.type = data[2];
  idx.es = type_size (data[2]);
  idx.ndim = data[3];
  if (idx.ndim > LT_MAX_DIMS)
    return idx;
  idx.offset = 4 + 4 * (gsize) idx.ndim;
  if (len < idx.offset)
    return idx;
  total = idx.es;
  for (guint i = 0; i < idx.ndim; i++)
    {
      const uint8_t *p = data + 4 + 4 * i;

      idx.dims[i] = (gint64) (((guint64) p[0] << 24) | ((guint64) p[1] << 16)
                              | ((guint64) p[2] << 8) | p[3]);
      if (idx.dims[i] == 0)
        total = 0;
    }
  for (guint i = 0; i < idx.ndim; i++)
    {
      /* The product in integers: zero when a dimension is zero, else it
       * must fit 64 bits. */
      if (__builtin_mul_overflow (total, (guint64) idx.dims[i], &total))
        return idx;
      /* The tensor's strides: the product counting zeros as ones. */
      if (__builtin_mul_overflow (span, (guint64) MAX (idx.dims[i], 1), &span)
          || span > (guint64) G_MAXINT64)
        return idx;
    }
  idx.valid = total == len - idx.offset;
  return idx;
}

/* The end of the IDX file that starts at @data, by its header, or 0. */
static size_t
idx_extent (const uint8_t *data,
            size_t         len)
{
  guint64 total;
  gsize offset;

  if (len < 4 || type_size (data[2]) == 0)
    return 0;
  offset = 4 + 4 * (gsize) data[3];
  if (len < offset)
    return 0;
  total = type_size (data[2]);
  for (guint i = 0; i < data[3]; i++)
    {
      const uint8_t *p = data + 4 + 4 * i;
      guint64 d = ((guint64) p[0] << 24) | ((guint64) p[1] << 16) | ((guint64) p[2] << 8) | p[3];

      if (__builtin_mul_overflow (total, d, &total))
        return 0;
    }
  return total <= len - offset ? offset + (size_t) total : 0;
}

static void
fuzz_idx (const uint8_t *data,
          size_t         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = NULL;
  LtIdxHeader h;
  Idx idx = idx_read (data, len);
  gboolean ok = _lt_idx_parse_header (data, len, IDX_NAME, &h, &error);

  FUZZ_CHECK_RESULT (ok, error, IDX_NAME);
  FUZZ_CHECK (ok == idx.valid);
  if (ok)
    {
      FUZZ_CHECK (h.type == idx.type);
      FUZZ_CHECK (h.dtype == type_dtype (idx.type));
      FUZZ_CHECK (h.ndim == idx.ndim);
      FUZZ_CHECK (h.data_offset == idx.offset);
      FUZZ_CHECK (h.data_size == len - idx.offset);
      for (guint i = 0; i < idx.ndim; i++)
        FUZZ_CHECK (h.dims[i] == idx.dims[i]);
    }
  g_clear_error (&error);

  t = _lt_idx_parse (data, len, IDX_NAME, &error);
  FUZZ_CHECK_RESULT (t != NULL, error, IDX_NAME);
  FUZZ_CHECK ((t != NULL) == idx.valid);
  if (t)
    {
      const guint8 *p;
      gsize n;

      fuzz_check_tensor (t, type_dtype (idx.type), idx.dims, idx.ndim);
      p = _lt_tensor_data (t);
      n = (len - idx.offset) / idx.es;
      /* Big-endian in the file, native in the tensor. */
      for (gsize i = 0; i < n; i++)
        for (gsize b = 0; b < idx.es; b++)
          {
            gsize native = G_BYTE_ORDER == G_LITTLE_ENDIAN ? idx.es - 1 - b : b;

            FUZZ_CHECK (p[i * idx.es + native] == data[idx.offset + i * idx.es + b]);
          }
    }
}

static void
fuzz_mnist (GBytes *unpacked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_autoptr(GBytes) image_bytes = NULL;
  static const uint8_t empty[1];
  gsize len;
  const uint8_t *data = g_bytes_get_data (unpacked, &len);
  size_t split;
  Idx ii, li;
  gboolean valid, ok;

  if (data == NULL)
    data = empty;
  split = idx_extent (data, len);
  if (split == 0)
    split = len / 2;
  image_bytes = g_bytes_new_from_bytes (unpacked, 0, split);
  ii = idx_read (data, split);
  li = idx_read (data + split, len - split);
  valid = ii.valid && li.valid && ii.type == 0x08 && ii.ndim == 3 && li.type == 0x08
          && li.ndim == 1 && ii.dims[0] == li.dims[0];
  for (gint64 i = 0; valid && i < li.dims[0]; i++)
    valid = data[split + li.offset + (gsize) i] < 10;

  ok = _lt_mnist_parse (image_bytes, IMAGES_NAME, data + split, len - split, LABELS_NAME,
                        &images, &labels, &error);
  FUZZ_CHECK_RESULT (ok, error, NULL);
  FUZZ_CHECK (ok == valid);
  if (ok)
    {
      const gint64 *lb;

      fuzz_check_tensor (images, LT_DTYPE_UINT8, ii.dims, 3);
      fuzz_check_tensor (labels, LT_DTYPE_INT64, li.dims, 1);
      FUZZ_CHECK (memcmp (_lt_tensor_data (images), data + ii.offset, split - ii.offset) == 0);
      lb = _lt_tensor_data (labels);
      for (gint64 i = 0; i < li.dims[0]; i++)
        FUZZ_CHECK (lb[i] == data[split + li.offset + (gsize) i]);
    }
  else
    {
      FUZZ_CHECK (images == NULL && labels == NULL);
      FUZZ_CHECK (strstr (error->message, IMAGES_NAME) != NULL
                  || strstr (error->message, LABELS_NAME) != NULL);
    }
}

/* The input as a file: a memfd, opened again through /proc. */
static int memfd = -1;

static char *
write_file (const uint8_t *data,
            size_t         size)
{
  size_t done = 0;

  if (memfd < 0)
    {
      memfd = memfd_create ("fuzz-idx", MFD_CLOEXEC);
      FUZZ_CHECK (memfd >= 0);
    }
  FUZZ_CHECK (ftruncate (memfd, 0) == 0);
  while (done < size)
    {
      ssize_t n = pwrite (memfd, data + done, size - done, (off_t) done);

      FUZZ_CHECK (n > 0);
      done += (size_t) n;
    }
  return g_strdup_printf ("/proc/self/fd/%d", memfd);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) unpacked = NULL;
  g_autofree char *path = NULL;
  gboolean gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;

  fuzz_init (data, size);

  path = write_file (data, size);
  unpacked = _lt_data_read_file (path, NULL, &error);
  FUZZ_CHECK_RESULT (unpacked != NULL, error, path);
  if (gzip && unpacked != NULL)
    FUZZ_CHECK (idx_read (g_bytes_get_data (unpacked, NULL), g_bytes_get_size (unpacked)).valid);
  if (!gzip)
    {
      FUZZ_CHECK (unpacked != NULL);
      FUZZ_CHECK (g_bytes_get_size (unpacked) == size);
      FUZZ_CHECK (size == 0 || memcmp (g_bytes_get_data (unpacked, NULL), data, size) == 0);
    }
  if (unpacked == NULL)
    {
      /* Broken gzip: the raw bytes still go to the parsers. */
      unpacked = g_bytes_new (data, size);
    }
  {
    static const uint8_t empty[1];
    gsize len;
    const uint8_t *u = g_bytes_get_data (unpacked, &len);

    fuzz_idx (u ? u : empty, len);
  }
  fuzz_mnist (unpacked);
  return 0;
}
