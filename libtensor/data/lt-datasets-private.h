/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The dataset parsers, callable on memory buffers (the fuzz targets and the
 * tests call them directly). Every one checks sizes against the data it is
 * given before it allocates anything, and names the file (@name) and the
 * byte offset in its errors.
 */

#include <gio/gio.h>

#include "core/lt-tensor.h"
#include "core/lt-error.h"
#include "data/lt-transform.h"

G_BEGIN_DECLS

/* CIFAR-10 binary version (lt-cifar10-parser.c): records of 1 label byte
 * + 3,072 pixel bytes (1,024 R, 1,024 G, 1,024 B, each 32 x 32 row-major),
 * in 6 batches: 0..4 data_batch_1..5.bin (training), 5 test_batch.bin;
 * the class names in batches.meta.txt. */
#define LT_CIFAR10_RECORD_SIZE   3073
#define LT_CIFAR10_IMAGE_SIZE    3072
#define LT_CIFAR10_N_CLASSES     10
#define LT_CIFAR10_N_BATCHES     6
#define LT_CIFAR10_TEST_BATCH    5
#define LT_CIFAR10_META_NAME     "batches.meta.txt"
#define LT_CIFAR10_META_MAX_SIZE (64 * 1024)

extern const char *const _lt_cifar10_batch_names[LT_CIFAR10_N_BATCHES];

/* uint8 (n, 3, 32, 32) and int64 (n), uninitialised */
LtTensor  *_lt_cifar10_new_images    (gint64            n,
                                      GError          **error);
LtTensor  *_lt_cifar10_new_labels    (gint64            n,
                                      GError          **error);

/* A .bin file read in pieces: begin with the size the file has (stat, or
 * the archive member's header; 0 is an error: an empty batch is a file
 * cut short), feed its bytes in order, end. Pixels of
 * record r go to @images + r * 3072, its label to @labels[r]; the caller
 * keeps room for every record the fed bytes reach. */
typedef struct
{
  const char *name;     /* borrowed, for messages */
  guint64 size;
  guint64 pos;
  guint8 *images;       /* borrowed */
  gint64 *labels;       /* borrowed */
} LtCifarBinParser;

gboolean   _lt_cifar10_bin_begin     (LtCifarBinParser *parser,
                                      const char       *name,
                                      guint64           size,
                                      GError          **error);
gboolean   _lt_cifar10_bin_feed      (LtCifarBinParser *parser,
                                      const guint8     *data,
                                      gsize             len,
                                      GError          **error);
gboolean   _lt_cifar10_bin_end       (LtCifarBinParser *parser,
                                      GError          **error);

/* A whole .bin in memory: images uint8 (N, 3, 32, 32), labels int64 (N). */
gboolean   _lt_cifar10_parse_bin     (const guint8     *data,
                                      gsize             len,
                                      const char       *name,
                                      LtTensor        **images,
                                      LtTensor        **labels,
                                      GError          **error);

/* batches.meta.txt: exactly 10 non-empty lines (blank lines ignored), at
 * most 64 KiB of UTF-8. */
char     **_lt_cifar10_parse_meta    (const guint8     *data,
                                      gsize             len,
                                      const char       *name,
                                      GError          **error);

/* A cifar-10-binary.tar.gz (or any tar, compressed or not) in memory:
 * the training set (data_batch_1..5.bin) or the test set (test_batch.bin)
 * and the class names. */
gboolean   _lt_cifar10_parse_archive (const guint8     *data,
                                      gsize             len,
                                      const char       *name,
                                      gboolean          train,
                                      LtTensor        **images,
                                      LtTensor        **labels,
                                      char           ***classes,
                                      GError          **error);

/* The same from a file descriptor open on an archive (not closed here). */
gboolean   _lt_cifar10_parse_archive_fd (int              fd,
                                         const char      *name,
                                         gboolean         train,
                                         LtTensor       **images,
                                         LtTensor       **labels,
                                         char          ***classes,
                                         GCancellable    *cancellable,
                                         GError         **error);

/* FALSE for an archive member path that is absolute or has a ".."
 * component (or is empty). */
gboolean   _lt_archive_path_is_safe  (const char       *path);

/* IDX (MNIST): 00 00 <type> <ndim>, ndim big-endian u32 sizes, the data. */
typedef struct
{
  guint8 type;          /* 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64 */
  LtDType dtype;
  guint ndim;
  gint64 dims[LT_MAX_DIMS];
  gsize data_offset;    /* 4 + 4 * ndim */
  gsize data_size;      /* product of dims * element size */
} LtIdxHeader;

gboolean   _lt_idx_parse_header      (const guint8     *data,
                                      gsize             len,
                                      const char       *name,
                                      LtIdxHeader      *header,
                                      GError          **error);
/* A copy of the data as a tensor of the IDX shape (byte-swapped). */
LtTensor  *_lt_idx_parse             (const guint8     *data,
                                      gsize             len,
                                      const char       *name,
                                      GError          **error);
/* An MNIST pair: images u8 (N, H, W) and labels u8 (N) with labels < 10.
 * @images_bytes is wrapped (no copy): the images tensor views it. */
gboolean   _lt_mnist_parse           (GBytes           *images_bytes,
                                      const char       *images_name,
                                      const guint8     *labels_data,
                                      gsize             labels_len,
                                      const char       *labels_name,
                                      LtTensor        **images,
                                      LtTensor        **labels,
                                      GError          **error);

/* The whole content of the IDX file @path, gunzipped when it starts with
 * the gzip magic: then the unpacked data must start with an IDX header,
 * read first, and unpacking stops at the size it declares (a gzip bomb
 * costs no more than that; its declared size must also be one the
 * compressed data can hold). NULL with @error set (LT_ERROR_IO for a file
 * that cannot be read or is no file, such as a FIFO or a folder,
 * LT_ERROR_FORMAT, LT_ERROR_OUT_OF_MEMORY). */
GBytes    *_lt_data_read_file        (const char       *path,
                                      GCancellable     *cancellable,
                                      GError          **error);

/* An item's image: a view of @images (N, ...) at @index with @prefix_dims
 * unit dimensions in front, e.g. (1, 28, 28) for MNIST. */
LtTensor  *_lt_data_item_view        (LtTensor         *images,
                                      gint64            index,
                                      guint             prefix_dims);

/* input -> transform (if any); label -> 0-dim int64 -> target transform. */
gboolean   _lt_data_finish_item      (LtTensor         *image,
                                      gint64            label,
                                      LtTransform      *transform,
                                      LtTransform      *target_transform,
                                      LtTensor        **input,
                                      LtTensor        **target,
                                      GError          **error);

G_END_DECLS
