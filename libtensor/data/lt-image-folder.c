/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "lt-image-folder.h"
#include "lt-datasets-private.h"
#include "io/lt-image-private.h"
#include "core/lt-tensor-private.h"

/**
 * LtImageFolder:
 *
 * A dataset of the user's own pictures, as torchvision's `ImageFolder`:
 * the root folder has one subfolder per class, each holding PNG and JPEG
 * files (in subfolders too). Classes are the subfolder names in sorted
 * order (label i is the i-th); items come class by class, each folder's
 * files in sorted order before its subfolders'.
 *
 * Images are decoded with gdk-pixbuf when an item is read, into uint8
 * tensors of shape (3, H, W) (RGB, channels first; grey images become RGB
 * and an alpha channel is dropped, as PIL's `convert("RGB")`). An image
 * declaring more pixels than lt_image_get_max_pixels() is refused from
 * its header, before it is decoded, with an error naming the file.
 */

#define MAX_DEPTH 32

typedef struct
{
  char *path;
  gint64 label;
} Sample;

struct _LtImageFolder
{
  GObject parent_instance;

  /* Owned */
  char **classes;
  GArray *samples;      /* Sample */
  LtTransform *transform;
  LtTransform *target_transform;
};

static void lt_image_folder_dataset_init (LtDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtImageFolder, lt_image_folder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET,
                                                      lt_image_folder_dataset_init))

static gboolean
is_image_name (const char *name)
{
  static const char *const exts[] = { ".png", ".jpg", ".jpeg" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (lower, exts[i]))
      return TRUE;
  return FALSE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The entry names of @dir, sorted. */
static GPtrArray *
list_sorted (const char  *dir,
             GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local);
  GPtrArray *names;
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "image_folder: cannot read the folder %s: %s",
                   dir, local->message);
      return NULL;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

static gboolean
collect (GArray      *samples,
         const char  *dir,
         gint64       label,
         guint        depth,
         GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "image_folder: %s is more than %d folders deep", dir, MAX_DEPTH);
      return FALSE;
    }
  names = list_sorted (dir, error);
  if (names == NULL)
    return FALSE;
  /* The folder's own files, then its subfolders (torchvision's order). */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < names->len; i++)
      {
        g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
        gboolean is_dir = g_file_test (path, G_FILE_TEST_IS_DIR);

        if (pass == 1 && is_dir)
          {
            if (!collect (samples, path, label, depth + 1, error))
              return FALSE;
          }
        else if (pass == 0 && !is_dir && is_image_name (names->pdata[i])
                 && g_file_test (path, G_FILE_TEST_IS_REGULAR))
          {
            Sample s = { g_steal_pointer (&path), label };

            g_array_append_val (samples, s);
          }
      }
  return TRUE;
}

/* uint8 (3, H, W) from an image file */
static LtTensor *
load_image (const char  *path,
            GError     **error)
{
  g_autoptr(GdkPixbuf) pixbuf = _lt_image_decode_file (path, "image_folder", error);
  g_autoptr(LtTensor) t = NULL;
  const guint8 *pixels;
  guint8 *dst;
  gint64 shape[3];
  int w, h, nc, stride;

  if (pixbuf == NULL)
    return NULL;
  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  nc = gdk_pixbuf_get_n_channels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || nc < 3
      || gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "image_folder: %s: an image layout gdk-pixbuf should not give (%d channels of "
                   "%d bits)", path, nc, gdk_pixbuf_get_bits_per_sample (pixbuf));
      return NULL;
    }
  shape[0] = 3;
  shape[1] = h;
  shape[2] = w;
  t = _lt_tensor_new_empty (shape, 3, LT_DTYPE_UINT8, LT_DEVICE_CPU, error);
  if (t == NULL)
    return NULL;
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  dst = _lt_tensor_data (t);
  for (int y = 0; y < h; y++)
    {
      const guint8 *row = pixels + (gsize) y * stride;

      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++)
          dst[((gsize) c * h + y) * w + x] = row[x * nc + c];
    }
  return g_steal_pointer (&t);
}

static gint64
lt_image_folder_get_length (LtDataset *dataset)
{
  return LT_IMAGE_FOLDER (dataset)->samples->len;
}

static gboolean
lt_image_folder_get_item (LtDataset *dataset,
                          gint64     index,
                          LtTensor **input,
                          LtTensor **target,
                          GError   **error)
{
  LtImageFolder *self = LT_IMAGE_FOLDER (dataset);
  const Sample *s = &g_array_index (self->samples, Sample, index);
  g_autoptr(LtTensor) image = load_image (s->path, error);

  if (image == NULL)
    return FALSE;
  return _lt_data_finish_item (image, s->label, self->transform, self->target_transform,
                               input, target, error);
}

static void
lt_image_folder_dataset_init (LtDatasetInterface *iface)
{
  iface->get_length = lt_image_folder_get_length;
  iface->get_item = lt_image_folder_get_item;
}

static void
sample_clear (gpointer data)
{
  g_free (((Sample *) data)->path);
}

static void
lt_image_folder_finalize (GObject *object)
{
  LtImageFolder *self = LT_IMAGE_FOLDER (object);

  g_strfreev (self->classes);
  g_array_unref (self->samples);
  g_clear_object (&self->transform);
  g_clear_object (&self->target_transform);
  G_OBJECT_CLASS (lt_image_folder_parent_class)->finalize (object);
}

static void
lt_image_folder_class_init (LtImageFolderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_image_folder_finalize;
}

static void
lt_image_folder_init (LtImageFolder *self)
{
  self->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  g_array_set_clear_func (self->samples, sample_clear);
}

/**
 * lt_image_folder_new:
 * @root: a folder with one subfolder of images per class
 * @transform: (nullable): a transform for the images (uint8, (3, H, W))
 * @target_transform: (nullable): a transform for the labels (0-dim int64)
 * @error: return location for a #GError
 *
 * Finds the classes and image files under @root; the images are decoded
 * later, item by item.
 *
 * Returns: (transfer full) (nullable): the dataset, or %NULL with @error
 *   set (%LT_ERROR_IO) when @root cannot be read, has no subfolder, or a
 *   class has no PNG or JPEG file
 */
LtImageFolder *
lt_image_folder_new (const char   *root,
                     LtTransform  *transform,
                     LtTransform  *target_transform,
                     GError      **error)
{
  g_autoptr(LtImageFolder) self = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) classes = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (transform == NULL || LT_IS_TRANSFORM (transform), NULL);
  g_return_val_if_fail (target_transform == NULL || LT_IS_TRANSFORM (target_transform), NULL);

  names = list_sorted (root, error);
  if (names == NULL)
    return NULL;
  self = g_object_new (LT_TYPE_IMAGE_FOLDER, NULL);
  classes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *dir = g_build_filename (root, names->pdata[i], NULL);
      guint before = self->samples->len;

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        continue;
      if (!collect (self->samples, dir, classes->len, 1, error))
        return NULL;
      if (self->samples->len == before)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_IO,
                       "image_folder: the class folder %s has no PNG or JPEG file", dir);
          return NULL;
        }
      g_ptr_array_add (classes, g_strdup (names->pdata[i]));
    }
  if (classes->len == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO,
                   "image_folder: %s has no class folders (one subfolder of images per class)",
                   root);
      return NULL;
    }
  g_ptr_array_add (classes, NULL);
  self->classes = (char **) g_ptr_array_free (g_steal_pointer (&classes), FALSE);
  if (transform)
    self->transform = g_object_ref (transform);
  if (target_transform)
    self->target_transform = g_object_ref (target_transform);
  return g_steal_pointer (&self);
}

/**
 * lt_image_folder_get_classes:
 * @self: an image folder dataset
 *
 * Gets the class names: the subfolders of the root, sorted.
 *
 * Returns: (transfer none) (array zero-terminated=1): the class names
 */
const char * const *
lt_image_folder_get_classes (LtImageFolder *self)
{
  g_return_val_if_fail (LT_IS_IMAGE_FOLDER (self), NULL);
  return (const char * const *) self->classes;
}

/**
 * lt_image_folder_get_path:
 * @self: an image folder dataset
 * @index: an item index
 *
 * Gets the file of item @index.
 *
 * Returns: (nullable): the path, or %NULL when @index is out of range
 */
const char *
lt_image_folder_get_path (LtImageFolder *self,
                          gint64         index)
{
  g_return_val_if_fail (LT_IS_IMAGE_FOLDER (self), NULL);
  if (index < 0 || index >= self->samples->len)
    return NULL;
  return g_array_index (self->samples, Sample, index).path;
}

/**
 * lt_image_folder_get_label:
 * @self: an image folder dataset
 * @index: an item index
 *
 * Gets the label of item @index without decoding its image.
 *
 * Returns: the label, or -1 when @index is out of range
 */
gint64
lt_image_folder_get_label (LtImageFolder *self,
                           gint64         index)
{
  g_return_val_if_fail (LT_IS_IMAGE_FOLDER (self), -1);
  if (index < 0 || index >= self->samples->len)
    return -1;
  return g_array_index (self->samples, Sample, index).label;
}

/**
 * lt_image_folder_get_transform:
 * @self: an image folder dataset
 *
 * Gets the transform applied to the images.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_image_folder_get_transform (LtImageFolder *self)
{
  g_return_val_if_fail (LT_IS_IMAGE_FOLDER (self), NULL);
  return self->transform;
}

/**
 * lt_image_folder_get_target_transform:
 * @self: an image folder dataset
 *
 * Gets the transform applied to the labels.
 *
 * Returns: (transfer none) (nullable): the transform
 */
LtTransform *
lt_image_folder_get_target_transform (LtImageFolder *self)
{
  g_return_val_if_fail (LT_IS_IMAGE_FOLDER (self), NULL);
  return self->target_transform;
}
