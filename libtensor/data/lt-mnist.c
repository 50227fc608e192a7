/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "lt-mnist.h"
#include "lt-datasets-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-creation.h"
#include "io/lt-file-private.h"

/**
 * LtMnist:
 *
 * MNIST (handwritten digits) or Fashion-MNIST (clothes): 60,000 training
 * and 10,000 test images of 28x28 grey pixels in 10 classes, read from
 * their IDX files, raw or gzipped, as torchvision's `MNIST` and
 * `FashionMNIST`.
 *
 * The root folder holds `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each possibly with a `.gz` suffix (or
 * torchvision's layout, `MNIST/raw/` or `FashionMNIST/raw/` under the
 * root). Fashion-MNIST defaults to %LT_FASHION_MNIST_DEFAULT_ROOT, where
 * Debian's `dataset-fashion-mnist` package puts it.
 *
 * The images are held in one uint8 tensor of shape (N, 28, 28) (the file's
 * own bytes, without a copy) and the labels in one int64 tensor of shape
 * (N); an item is a (1, 28, 28) uint8 view passed through the transform, and
 * its label as a 0-dim int64 tensor passed through the target transform.
 *
 * The IDX headers are checked against the files before anything is
 * allocated: a bad magic number, dimensions whose product overflows or
 * exceeds the file, a label file whose count differs from its image file,
 * a label over 9 each give an error naming the file and the byte offset.
 */

G_DEFINE_ENUM_TYPE (LtMnistVariant, lt_mnist_variant,
                    G_DEFINE_ENUM_VALUE (LT_MNIST_VARIANT_MNIST, "mnist"),
                    G_DEFINE_ENUM_VALUE (LT_MNIST_VARIANT_FASHION_MNIST, "fashion-mnist"))

#define N_CLASSES 10

static const char *const mnist_classes[] = {
  "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
  "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine", NULL,
};

static const char *const fashion_classes[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL,
};

struct _LtMnist
{
  GObject parent_instance;

  /* Owned */
  LtTensor *images;     /* uint8 (N, H, W) */
  LtTensor *labels;     /* int64 (N) */
  LtTransform *transform;
  LtTransform *target_transform;

  gboolean train;
  LtMnistVariant variant;
};

static void lt_mnist_dataset_init (LtDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtMnist, lt_mnist, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, lt_mnist_dataset_init))

/* IDX */

static gboolean
idx_dtype (guint8   type,
           LtDType *dtype)
{
  switch (type)
    {
    case 0x08: *dtype = LT_DTYPE_UINT8; return TRUE;
    case 0x09: *dtype = LT_DTYPE_INT8; return TRUE;
    case 0x0B: *dtype = LT_DTYPE_INT16; return TRUE;
    case 0x0C: *dtype = LT_DTYPE_INT32; return TRUE;
    case 0x0D: *dtype = LT_DTYPE_FLOAT32; return TRUE;
    case 0x0E: *dtype = LT_DTYPE_FLOAT64; return TRUE;
    default: return FALSE;
    }
}

static char *
dims_to_string (const guint32 *dims,
                guint          ndim)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%u", i ? ", " : "", dims[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* The header of an IDX file that starts at @data (@len bytes of it, at
 * least its header): magic number, type, dimensions, and the total size
 * the file must have (*@file_size: the header and the data). */
static gboolean
idx_parse_dims (const guint8 *data,
                gsize         len,
                const char   *name,
                LtIdxHeader  *header,
                guint64      *file_size,
                char        **shape_text,
                GError      **error)
{
  guint32 dims[256];
  g_autofree char *shape = NULL;
  guint64 total, span = 1;
  gsize es;

  memset (header, 0, sizeof *header);
  if (len < 4)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: %" G_GSIZE_FORMAT " bytes is too short for the IDX magic number "
                   "at byte offset 0", name, len);
      return FALSE;
    }
  if (data[0] != 0 || data[1] != 0 || !idx_dtype (data[2], &header->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: bad IDX magic number %02x %02x %02x %02x at byte offset 0 (not "
                   "00 00 <type 08, 09, 0b, 0c, 0d or 0e> <number of dimensions>)",
                   name, data[0], data[1], data[2], data[3]);
      return FALSE;
    }
  header->type = data[2];
  header->ndim = data[3];
  header->data_offset = 4 + 4 * (gsize) header->ndim;
  if (header->ndim > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: %u dimensions (byte offset 3) are more than a tensor can have (%d)",
                   name, header->ndim, LT_MAX_DIMS);
      return FALSE;
    }
  if (len < header->data_offset)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: the file ends at byte offset %" G_GSIZE_FORMAT " inside the sizes "
                   "of its %u dimensions (%" G_GSIZE_FORMAT " bytes of header)", name, len,
                   header->ndim, header->data_offset);
      return FALSE;
    }

  es = lt_dtype_get_element_size (header->dtype);
  total = es;
  for (guint i = 0; i < header->ndim; i++)
    {
      const guint8 *p = data + 4 + 4 * i;

      dims[i] = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
      header->dims[i] = dims[i];
    }
  shape = dims_to_string (dims, header->ndim);
  /* A zero dimension makes the product zero, whatever the others. */
  for (guint i = 0; i < header->ndim; i++)
    if (dims[i] == 0)
      total = 0;
  for (guint i = 0; i < header->ndim && total != 0; i++)
    if (__builtin_mul_overflow (total, (guint64) dims[i], &total) || total > (guint64) G_MAXINT64)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                     "idx: %s: the dimensions %s (byte offsets 4 to %" G_GSIZE_FORMAT
                     ") overflow: their product does not fit in 64 bits", name, shape,
                     header->data_offset - 1);
        return FALSE;
      }
  /* An empty tensor's strides are the product of its other dimensions. */
  for (guint i = 0; i < header->ndim; i++)
    if (__builtin_mul_overflow (span, (guint64) MAX (dims[i], 1), &span)
        || span > (guint64) G_MAXINT64)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                     "idx: %s: the dimensions %s (byte offsets 4 to %" G_GSIZE_FORMAT
                     ") overflow: the strides of a tensor of that shape do not fit in 64 bits",
                     name, shape, header->data_offset - 1);
        return FALSE;
      }
  if (total > G_MAXUINT64 - header->data_offset)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: the dimensions %s declare more data than a file can hold", name,
                   shape);
      return FALSE;
    }
  header->data_size = (gsize) MIN (total, (guint64) G_MAXSIZE);
  *file_size = header->data_offset + total;
  if (shape_text)
    *shape_text = g_steal_pointer (&shape);
  return TRUE;
}

gboolean
_lt_idx_parse_header (const guint8 *data,
                      gsize         len,
                      const char   *name,
                      LtIdxHeader  *header,
                      GError      **error)
{
  g_autofree char *shape = NULL;
  guint64          file_size, total;

  if (!idx_parse_dims (data, len, name, header, &file_size, &shape, error))
    return FALSE;
  total = file_size - header->data_offset;
  if (total > len - header->data_offset)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: the dimensions %s need %" G_GUINT64_FORMAT " bytes of data from "
                   "byte offset %" G_GSIZE_FORMAT " but the file ends at byte offset %"
                   G_GSIZE_FORMAT, name, shape, total, header->data_offset, len);
      return FALSE;
    }
  if (total < len - header->data_offset)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: %" G_GUINT64_FORMAT " bytes after the data of dimensions %s, from "
                   "byte offset %" G_GUINT64_FORMAT, name,
                   (guint64) (len - header->data_offset) - total, shape,
                   (guint64) header->data_offset + total);
      return FALSE;
    }
  header->data_size = (gsize) total;
  return TRUE;
}

LtTensor *
_lt_idx_parse (const guint8 *data,
               gsize         len,
               const char   *name,
               GError      **error)
{
  LtIdxHeader h;
  g_autoptr(LtTensor) t = NULL;
  const guint8 *src;
  guint8 *dst;
  gsize es, n;

  if (!_lt_idx_parse_header (data, len, name, &h, error))
    return NULL;
  t = lt_empty (h.dims, h.ndim, h.dtype, error);
  if (t == NULL)
    return NULL;
  es = lt_dtype_get_element_size (h.dtype);
  n = h.data_size / es;
  src = data + h.data_offset;
  dst = _lt_tensor_data (t);
  /* IDX is big-endian. */
  for (gsize i = 0; i < n; i++)
    for (gsize b = 0; b < es; b++)
      dst[i * es + b] = src[i * es + (G_BYTE_ORDER == G_LITTLE_ENDIAN ? es - 1 - b : b)];
  return g_steal_pointer (&t);
}

static void
bytes_release (gpointer bytes)
{
  g_bytes_unref (bytes);
}

gboolean
_lt_mnist_parse (GBytes        *images_bytes,
                 const char    *images_name,
                 const guint8  *labels_data,
                 gsize          labels_len,
                 const char    *labels_name,
                 LtTensor     **images,
                 LtTensor     **labels,
                 GError       **error)
{
  gsize images_len;
  const guint8 *images_data = g_bytes_get_data (images_bytes, &images_len);
  LtIdxHeader ih, lh;
  g_autoptr(LtTensor) lb = NULL;
  LtStorage *storage;
  gint64 *dst;

  if (!_lt_idx_parse_header (images_data, images_len, images_name, &ih, error)
      || !_lt_idx_parse_header (labels_data, labels_len, labels_name, &lh, error))
    return FALSE;
  if (ih.type != 0x08 || ih.ndim != 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "mnist: %s: the images must be unsigned bytes (type 08) in 3 dimensions, not "
                   "type %02x in %u (byte offsets 2 and 3)", images_name, ih.type, ih.ndim);
      return FALSE;
    }
  if (lh.type != 0x08 || lh.ndim != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "mnist: %s: the labels must be unsigned bytes (type 08) in 1 dimension, not "
                   "type %02x in %u (byte offsets 2 and 3)", labels_name, lh.type, lh.ndim);
      return FALSE;
    }
  if (lh.dims[0] != ih.dims[0])
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "mnist: %s holds %" G_GINT64_FORMAT " labels (the count at byte offset 4) but "
                   "%s holds %" G_GINT64_FORMAT " images", labels_name, lh.dims[0], images_name,
                   ih.dims[0]);
      return FALSE;
    }

  lb = lt_empty (lh.dims, 1, LT_DTYPE_INT64, error);
  if (lb == NULL)
    return FALSE;
  dst = _lt_tensor_data (lb);
  for (gint64 i = 0; i < lh.dims[0]; i++)
    {
      guint8 v = labels_data[lh.data_offset + (gsize) i];

      if (v >= N_CLASSES)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "mnist: %s: label %u at byte offset %" G_GSIZE_FORMAT " (item %"
                       G_GINT64_FORMAT ") is over 9", labels_name, v,
                       lh.data_offset + (gsize) i, i);
          return FALSE;
        }
      dst[i] = v;
    }

  /* The images are the file's own bytes, after the header. */
  storage = _lt_storage_new_wrap ((gpointer) images_data, images_len, bytes_release,
                                  g_bytes_ref (images_bytes));
  *images = _lt_tensor_new_with_storage (storage, ih.dims, NULL, 3, (gint64) ih.data_offset,
                                         LT_DTYPE_UINT8);
  lt_storage_unref (storage);
  *labels = g_steal_pointer (&lb);
  return TRUE;
}

/* Files, raw or gzipped */

/* Deflate expands at most 1032 to 1 (a 258-byte match in about 2 bits):
 * gzip data cannot unpack to more than this. */
#define DEFLATE_MAX_RATIO 1032

/* Inflates @in (from *@in_pos) into @out[*@have .. @cap) until @out is full
 * or the data ends (*@ended); gzip members after the first continue the
 * same stream. */
static gboolean
inflate_some (GConverter   *conv,
              const guint8 *in,
              gsize         in_len,
              gsize        *in_pos,
              guint8       *out,
              gsize         cap,
              gsize        *have,
              gboolean     *ended,
              const char   *path,
              GCancellable *cancellable,
              GError      **error)
{
  *ended = FALSE;
  while (*have < cap)
    {
      GError *local = NULL;
      gsize nread = 0, nwritten = 0;
      GConverterResult r;

      r = g_converter_convert (conv, in + *in_pos, in_len - *in_pos, out + *have, cap - *have,
                               G_CONVERTER_INPUT_AT_END, &nread, &nwritten, &local);
      *in_pos += nread;
      *have += nwritten;
      if (r == G_CONVERTER_ERROR)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                       "idx: %s: the gzip data is broken at byte offset %" G_GSIZE_FORMAT
                       " of the compressed file (%" G_GSIZE_FORMAT " bytes unpacked): %s",
                       path, *in_pos, *have, local->message);
          g_error_free (local);
          return FALSE;
        }
      if (r == G_CONVERTER_FINISHED)
        {
          if (*in_pos < in_len)
            {
              g_converter_reset (conv);
              continue;
            }
          *ended = TRUE;
          return TRUE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Unpacks a gzipped IDX file. Its header comes first: the unpacked size it
 * declares is checked against what the compressed size can hold, the
 * buffer is allocated at that size and unpacking stops there, so a small
 * file that unpacks to gigabytes (a gzip bomb) costs no more memory than
 * its header declares. */
static GBytes *
gunzip_idx (const guint8 *in,
            gsize         in_len,
            const char   *path,
            GCancellable *cancellable,
            GError      **error)
{
  g_autoptr(GZlibDecompressor) conv = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  guint8      head[4 + 4 * 255];
  gsize       have = 0, in_pos = 0, need = 4;
  gboolean    ended = FALSE;
  LtIdxHeader h;
  guint64     size;
  guint8     *out, extra;
  gsize       got_extra = 0;

  /* The header: 4 bytes, then 4 per dimension. */
  for (;;)
    {
      if (!inflate_some (G_CONVERTER (conv), in, in_len, &in_pos, head, need, &have, &ended, path,
                         cancellable, error))
        return NULL;
      if (have == 4 && need == 4)
        {
          need = 4 + 4 * (gsize) head[3];
          if (head[0] == 0 && head[1] == 0 && head[3] <= LT_MAX_DIMS && !ended)
            continue;
        }
      break;
    }
  if (!idx_parse_dims (head, have, path, &h, &size, NULL, error))
    return NULL;
  if (size / DEFLATE_MAX_RATIO > in_len)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: its IDX header declares %" G_GUINT64_FORMAT " bytes, more than "
                   "its %" G_GSIZE_FORMAT " bytes of gzip data can unpack to",
                   path, size, in_len);
      return NULL;
    }
  out = size <= G_MAXSIZE ? g_try_malloc (MAX (size, 1)) : NULL;
  if (out == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "idx: %s: cannot allocate the %" G_GUINT64_FORMAT " bytes its header declares",
                   path, size);
      return NULL;
    }
  memcpy (out, head, have);
  if (!ended && !inflate_some (G_CONVERTER (conv), in, in_len, &in_pos, out, (gsize) size, &have,
                               &ended, path, cancellable, error))
    goto fail;
  if (have < size)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: the unpacked data ends at byte offset %" G_GSIZE_FORMAT ", but its "
                   "header declares %" G_GUINT64_FORMAT " bytes",
                   path, have, size);
      goto fail;
    }
  /* Anything past the declared size is an error, found with one byte of
   * room: nothing more is unpacked. */
  if (!ended && !inflate_some (G_CONVERTER (conv), in, in_len, &in_pos, &extra, 1, &got_extra,
                               &ended, path, cancellable, error))
    goto fail;
  if (got_extra > 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "idx: %s: the gzip data unpacks to more than the %" G_GUINT64_FORMAT " bytes "
                   "its IDX header declares (unpacking stopped there)",
                   path, size);
      goto fail;
    }
  return g_bytes_new_take (out, (gsize) size);

fail:
  g_free (out);
  return NULL;
}

GBytes *
_lt_data_read_file (const char   *path,
                    GCancellable *cancellable,
                    GError      **error)
{
  g_autoptr(GBytes) contents = _lt_file_read (path, "idx", 0, cancellable, error);
  gsize len;
  const guint8 *data;

  if (contents == NULL)
    return NULL;
  data = g_bytes_get_data (contents, &len);
  if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    return gunzip_idx (data, len, path, cancellable, error);
  return g_steal_pointer (&contents);
}

/* The dataset */

static gint64
lt_mnist_get_length (LtDataset *dataset)
{
  return lt_tensor_get_size (LT_MNIST (dataset)->labels, 0, NULL);
}

static gboolean
lt_mnist_get_item (LtDataset *dataset,
                   gint64     index,
                   LtTensor **input,
                   LtTensor **target,
                   GError   **error)
{
  LtMnist *self = LT_MNIST (dataset);
  g_autoptr(LtTensor) image = _lt_data_item_view (self->images, index, 1);
  gint64 label = ((const gint64 *) _lt_tensor_data (self->labels))[index];

  return _lt_data_finish_item (image, label, self->transform, self->target_transform,
                               input, target, error);
}

static void
lt_mnist_dataset_init (LtDatasetInterface *iface)
{
  iface->get_length = lt_mnist_get_length;
  iface->get_item = lt_mnist_get_item;
}

static void
lt_mnist_finalize (GObject *object)
{
  LtMnist *self = LT_MNIST (object);

  g_clear_object (&self->images);
  g_clear_object (&self->labels);
  g_clear_object (&self->transform);
  g_clear_object (&self->target_transform);
  G_OBJECT_CLASS (lt_mnist_parent_class)->finalize (object);
}

static void
lt_mnist_class_init (LtMnistClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_mnist_finalize;
}

static void
lt_mnist_init (LtMnist *self)
{
}

/* root/name, root/name.gz, then torchvision's root/<Variant>/raw/name(.gz) */
static char *
find_file (const char     *root,
           LtMnistVariant  variant,
           const char     *name)
{
  g_autofree char *raw = g_build_filename (root, variant == LT_MNIST_VARIANT_MNIST
                                           ? "MNIST" : "FashionMNIST", "raw", NULL);
  const char *dirs[] = { root, raw };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    for (guint gz = 0; gz < 2; gz++)
      {
        g_autofree char *base = g_strconcat (name, gz ? ".gz" : "", NULL);
        g_autofree char *path = g_build_filename (dirs[d], base, NULL);

        /* Whatever is there (a folder or a FIFO is reported as what it is
         * when it is read, not as missing). */
        if (g_file_test (path, G_FILE_TEST_EXISTS))
          return g_steal_pointer (&path);
      }
  return NULL;
}

/**
 * lt_mnist_new:
 * @root: (nullable): the folder of the IDX files, or %NULL for
 *   %LT_FASHION_MNIST_DEFAULT_ROOT (Fashion-MNIST only)
 * @train: %TRUE for the training set (60,000 images), %FALSE for the test
 *   set (10,000)
 * @variant: MNIST or Fashion-MNIST
 * @transform: (nullable): a transform for the images (uint8, (1, 28, 28))
 * @target_transform: (nullable): a transform for the labels (0-dim int64)
 * @error: return location for a #GError
 *
 * Loads MNIST or Fashion-MNIST from the IDX files in @root (raw or
 * gzipped, found by their standard names). Loading takes well under a
 * second: the gzip data is unpacked in one pass into the buffer the
 * images tensor keeps.
 *
 * Returns: (transfer full) (nullable): the dataset, or %NULL with @error
 *   set: %LT_ERROR_IO for a missing file, %LT_ERROR_FORMAT for a file that
 *   is not right (naming the file and the byte offset),
 *   %LT_ERROR_INVALID_ARGUMENT for MNIST without a @root
 */
LtMnist *
lt_mnist_new (const char      *root,
              gboolean         train,
              LtMnistVariant   variant,
              LtTransform     *transform,
              LtTransform     *target_transform,
              GError         **error)
{
  g_autoptr(LtMnist) self = NULL;
  g_autoptr(GBytes) images = NULL;
  g_autoptr(GBytes) labels = NULL;
  g_autofree char *images_path = NULL;
  g_autofree char *labels_path = NULL;
  const char *prefix = train ? "train" : "t10k";
  g_autofree char *images_name = g_strdup_printf ("%s-images-idx3-ubyte", prefix);
  g_autofree char *labels_name = g_strdup_printf ("%s-labels-idx1-ubyte", prefix);
  const char *what = variant == LT_MNIST_VARIANT_MNIST ? "MNIST" : "Fashion-MNIST";
  gsize labels_len;
  const guint8 *labels_data;

  g_return_val_if_fail (transform == NULL || LT_IS_TRANSFORM (transform), NULL);
  g_return_val_if_fail (target_transform == NULL || LT_IS_TRANSFORM (target_transform), NULL);

  if (variant != LT_MNIST_VARIANT_MNIST && variant != LT_MNIST_VARIANT_FASHION_MNIST)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "mnist: %d is not a variant", (int) variant);
      return NULL;
    }
  if (root == NULL)
    {
      if (variant != LT_MNIST_VARIANT_FASHION_MNIST)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "mnist: MNIST has no default folder; give the folder of its IDX files");
          return NULL;
        }
      root = LT_FASHION_MNIST_DEFAULT_ROOT;
    }

  images_path = find_file (root, variant, images_name);
  labels_path = find_file (root, variant, labels_name);
  if (images_path == NULL || labels_path == NULL)
    {
      const char *missing = images_path ? labels_name : images_name;

      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "mnist: cannot open %s/%s (nor %s.gz): no such file. Put the %s files %s and "
                   "%s (raw or gzipped) in %s%s", root, missing, missing, what, images_name,
                   labels_name, root,
                   variant == LT_MNIST_VARIANT_FASHION_MNIST
                   ? " (on Debian, the package dataset-fashion-mnist installs them in "
                     LT_FASHION_MNIST_DEFAULT_ROOT ")" : "");
      return NULL;
    }

  images = _lt_data_read_file (images_path, NULL, error);
  if (images == NULL)
    return NULL;
  labels = _lt_data_read_file (labels_path, NULL, error);
  if (labels == NULL)
    return NULL;
  labels_data = g_bytes_get_data (labels, &labels_len);

  self = g_object_new (LT_TYPE_MNIST, NULL);
  self->train = train;
  self->variant = variant;
  if (!_lt_mnist_parse (images, images_path, labels_data, labels_len, labels_path,
                        &self->images, &self->labels, error))
    return NULL;
  if (transform)
    self->transform = g_object_ref (transform);
  if (target_transform)
    self->target_transform = g_object_ref (target_transform);
  return g_steal_pointer (&self);
}

/**
 * lt_mnist_variant_get_classes:
 * @variant: MNIST or Fashion-MNIST
 *
 * Gets the class names of a variant, as torchvision's `classes`: label i is
 * class i ("0 - zero" .. "9 - nine" for MNIST, "T-shirt/top" .. "Ankle boot"
 * for Fashion-MNIST).
 *
 * Returns: (transfer none) (array zero-terminated=1): the 10 class names
 */
const char * const *
lt_mnist_variant_get_classes (LtMnistVariant variant)
{
  return variant == LT_MNIST_VARIANT_FASHION_MNIST ? fashion_classes : mnist_classes;
}

/**
 * lt_mnist_get_classes:
 * @self: an MNIST dataset
 *
 * Gets the class names of the dataset's variant.
 *
 * Returns: (transfer none) (array zero-terminated=1): the 10 class names
 */
const char * const *
lt_mnist_get_classes (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), NULL);
  return lt_mnist_variant_get_classes (self->variant);
}

/**
 * lt_mnist_get_images:
 * @self: an MNIST dataset
 *
 * Gets all the images, as torchvision's `data`.
 *
 * Returns: (transfer none): a uint8 tensor of shape (N, 28, 28)
 */
LtTensor *
lt_mnist_get_images (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), NULL);
  return self->images;
}

/**
 * lt_mnist_get_labels:
 * @self: an MNIST dataset
 *
 * Gets all the labels, as torchvision's `targets`.
 *
 * Returns: (transfer none): an int64 tensor of shape (N)
 */
LtTensor *
lt_mnist_get_labels (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), NULL);
  return self->labels;
}

/**
 * lt_mnist_get_train:
 * @self: an MNIST dataset
 *
 * Tells whether @self is the training set.
 *
 * Returns: %TRUE for the training set, %FALSE for the test set
 */
gboolean
lt_mnist_get_train (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), FALSE);
  return self->train;
}

/**
 * lt_mnist_get_variant:
 * @self: an MNIST dataset
 *
 * Tells which dataset @self holds.
 *
 * Returns: MNIST or Fashion-MNIST
 */
LtMnistVariant
lt_mnist_get_variant (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), LT_MNIST_VARIANT_MNIST);
  return self->variant;
}

/**
 * lt_mnist_get_transform:
 * @self: an MNIST dataset
 *
 * Gets the transform applied to the images.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_mnist_get_transform (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), NULL);
  return self->transform;
}

/**
 * lt_mnist_get_target_transform:
 * @self: an MNIST dataset
 *
 * Gets the transform applied to the labels.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_mnist_get_target_transform (LtMnist *self)
{
  g_return_val_if_fail (LT_IS_MNIST (self), NULL);
  return self->target_transform;
}
