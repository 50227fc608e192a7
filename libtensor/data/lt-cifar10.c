/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "lt-cifar10.h"
#include "lt-datasets-private.h"
#include "core/lt-tensor-private.h"
#include "io/lt-file-private.h"

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
 * Every file is checked before anything is allocated for it: an empty
 * batch, a size that is not a multiple of the 3,073-byte record, a record
 * cut short, a label over 9, an archive member with an absolute path or
 * "..", a missing file, a FIFO or a folder where a file should be each
 * give an error naming the file and the byte offset. The parsers are in
 * lt-cifar10-parser.c.
 */

#define READ_CHUNK (1 << 20)

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

/* The extracted folder */

static gboolean
read_bin_file (const char       *path,
               LtCifarBinParser *parser,
               guint8           *buf,
               GCancellable     *cancellable,
               GError          **error)
{
  int      fd = _lt_file_open_read (path, "cifar10", NULL, error);
  gboolean ok = TRUE;

  if (fd < 0)
    return FALSE;
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
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "cifar10: cannot read %s: it is %s, not a file",
                   path, _lt_file_type_name (st.st_mode));
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
  g_autofree char   *meta_path = g_build_filename (folder, LT_CIFAR10_META_NAME, NULL);
  g_autoptr(GBytes) meta = NULL;
  char   *paths[LT_CIFAR10_N_BATCHES] = { NULL };
  guint64 sizes[LT_CIFAR10_N_BATCHES], meta_size;
  guint   first = train ? 0 : LT_CIFAR10_TEST_BATCH,
        last = train ? LT_CIFAR10_TEST_BATCH : LT_CIFAR10_N_BATCHES;
  gint64   n = 0, start = 0;
  gboolean ok = FALSE;

  /* Sizes first: nothing is allocated for a file that is not right. */
  for (guint b = first; b < last; b++)
    {
      LtCifarBinParser check;

      paths[b] = g_build_filename (folder, _lt_cifar10_batch_names[b], NULL);
      if (!stat_file (paths[b], &sizes[b], error)
          || !_lt_cifar10_bin_begin (&check, paths[b], sizes[b], error))
        goto out;
      n += (gint64) (sizes[b] / LT_CIFAR10_RECORD_SIZE);
    }
  if (!stat_file (meta_path, &meta_size, error))
    goto out;
  if (meta_size > LT_CIFAR10_META_MAX_SIZE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "cifar10: %s: %" G_GUINT64_FORMAT " bytes is too big for a list of class "
                   "names (at most %d)",
                   meta_path, meta_size, LT_CIFAR10_META_MAX_SIZE);
      goto out;
    }
  meta = _lt_file_read (meta_path, "cifar10", LT_CIFAR10_META_MAX_SIZE, cancellable, error);
  if (meta == NULL)
    goto out;
  *classes = _lt_cifar10_parse_meta (g_bytes_get_data (meta, NULL), g_bytes_get_size (meta),
                                     meta_path, error);
  if (*classes == NULL)
    goto out;

  im = _lt_cifar10_new_images (n, error);
  lb = im ? _lt_cifar10_new_labels (n, error) : NULL;
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
  for (guint b = 0; b < LT_CIFAR10_N_BATCHES; b++)
    g_free (paths[b]);
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
  int      fd = _lt_file_open_read (path, "cifar10", NULL, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = _lt_cifar10_parse_archive_fd (fd, path, train, images, labels, classes, cancellable, error);
  close (fd);
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
