/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the dataset tests (test-datasets*.c, test-download.c) share: checks,
 * and CIFAR-10 written in its exact binary format from formulas
 * (datasets-fixtures.h).
 */
#include "datasets-fixtures.h"

const char *const cifar_classes[10] = {
  "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

/* Records per file: data_batch_1..5, test_batch */
const gint64 batch_records[6] = { 7, 5, 9, 4, 6, 8 };
const char *const batch_files[6] = {
  "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
  "data_batch_5.bin", "test_batch.bin",
};

const int official_order[7] = { 0, 1, 2, 3, 4, -1, 5 };

/* Helpers */

void
assert_error_mentions (const GError *error,
                       GQuark        domain,
                       gint          code,
                       const char   *s1,
                       const char   *s2)
{
  g_assert_error (error, domain, code);
  if (s1 && strstr (error->message, s1) == NULL)
    g_error ("\"%s\" is not in the message \"%s\"", s1, error->message);
  if (s2 && strstr (error->message, s2) == NULL)
    g_error ("\"%s\" is not in the message \"%s\"", s2, error->message);
}

/* CIFAR-10 files */

guint8
cifar_pixel (gint64 global, guint c, guint y, guint x)
{
  return (guint8) ((global * 37 + c * 101 + y * 7 + x * 13 + (global * x) % 5) & 0xff);
}

guint8
cifar_label (gint64 global)
{
  return (guint8) ((global * 3 + global / 4) % 10);
}

/* Records of batch @b; @first is the index of its first record in its set. */
guint8 *
cifar_bin (gint64  first,
           gint64  n,
           gsize  *len)
{
  guint8 *data = g_malloc ((gsize) n * LT_CIFAR10_RECORD_SIZE);

  for (gint64 r = 0; r < n; r++)
    {
      guint8 *rec = data + r * LT_CIFAR10_RECORD_SIZE;

      rec[0] = cifar_label (first + r);
      for (guint c = 0; c < 3; c++)
        for (guint y = 0; y < 32; y++)
          for (guint x = 0; x < 32; x++)
            rec[1 + c * 1024 + y * 32 + x] = cifar_pixel (first + r, c, y, x);
    }
  *len = (gsize) n * LT_CIFAR10_RECORD_SIZE;
  return data;
}

char *
cifar_meta (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (s, "%s\n", cifar_classes[i]);
  g_string_append (s, "\n");    /* the real file ends with a blank line */
  return g_string_free (s, FALSE);
}

gint64
batch_first (int b)
{
  gint64 first = 0;

  for (int k = (b == 5 ? 5 : 0); k < b; k++)
    first += batch_records[k];
  return first;
}

/* root/cifar-10-batches-bin/ with every file */
char *
write_cifar_folder (const char *root)
{
  char *folder = g_build_filename (root, LT_CIFAR10_FOLDER, NULL);
  g_autofree char *meta = cifar_meta ();
  g_autofree char *meta_path = g_build_filename (folder, "batches.meta.txt", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  for (int b = 0; b < 6; b++)
    {
      g_autofree char *path = g_build_filename (folder, batch_files[b], NULL);
      gsize len;
      g_autofree guint8 *data = cifar_bin (batch_first (b), batch_records[b], &len);

      write_file (path, data, len);
    }
  write_file (meta_path, meta, strlen (meta));
  return folder;
}

void
write_tar_gz (const char   *path,
              const Member *members,
              guint         n)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_add_filter_gzip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      int type = members[i].type ? members[i].type : AE_IFREG;

      archive_entry_set_pathname (e, members[i].name);
      archive_entry_set_filetype (e, (unsigned) type);
      archive_entry_set_perm (e, type == AE_IFDIR ? 0755 : 0644);
      archive_entry_set_size (e, type == AE_IFREG ? (la_int64_t) members[i].len : 0);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      if (type == AE_IFREG && members[i].len > 0)
        g_assert_cmpint (archive_write_data (a, members[i].data, members[i].len), ==,
                         (la_ssize_t) members[i].len);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

/* The archive as the official one is laid out; @order lists the batches in
 * the order they are written (-1: the meta file). */
void
write_cifar_archive (const char *path,
                     const int  *order,
                     guint       n_order,
                     const char *prefix)
{
  g_autofree char *meta = cifar_meta ();
  g_autofree char *dir = g_strdup_printf ("%s" LT_CIFAR10_FOLDER "/", prefix);
  g_autofree char *readme_name = g_strconcat (dir, "readme.html", NULL);
  guint8 *datas[6] = { NULL };
  char *names[8] = { NULL };
  Member m[10];
  guint n = 0;
  const char *readme = "<html>CIFAR-10</html>\n";

  m[n++] = (Member) { dir, NULL, 0, AE_IFDIR };
  for (guint i = 0; i < n_order; i++)
    {
      int b = order[i];

      if (b < 0)
        {
          names[i] = g_strconcat (dir, "batches.meta.txt", NULL);
          m[n++] = (Member) { names[i], meta, strlen (meta), AE_IFREG };
        }
      else
        {
          gsize len;

          datas[b] = cifar_bin (batch_first (b), batch_records[b], &len);
          names[i] = g_strconcat (dir, batch_files[b], NULL);
          m[n++] = (Member) { names[i], datas[b], len, AE_IFREG };
        }
    }
  m[n++] = (Member) { readme_name, readme, strlen (readme), AE_IFREG };
  write_tar_gz (path, m, n);
  for (guint i = 0; i < 8; i++)
    g_free (names[i]);
  for (guint i = 0; i < 6; i++)
    g_free (datas[i]);
}

/* Every image, label and item of @ds against the formulas. */
void
check_cifar (LtCifar10 *ds,
             gboolean   train)
{
  g_autoptr(GError) error = NULL;
  LtTensor *images = lt_cifar10_get_images (ds);
  LtTensor *labels = lt_cifar10_get_labels (ds);
  const char *const *classes = lt_cifar10_get_classes (ds);
  gint64 n = 0;
  const guint8 *px;
  const gint64 *lb;

  for (int b = train ? 0 : 5; b < (train ? 5 : 6); b++)
    n += batch_records[b];
  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (ds)), ==, n);
  g_assert_cmpint (lt_cifar10_get_train (ds), ==, train);
  assert_shape (images, (gint64[]) { n, 3, 32, 32 }, 4);
  assert_shape (labels, (gint64[]) { n }, 1);
  g_assert_cmpint (lt_tensor_get_dtype (images), ==, LT_DTYPE_UINT8);
  g_assert_cmpint (lt_tensor_get_dtype (labels), ==, LT_DTYPE_INT64);
  g_assert_true (lt_tensor_is_contiguous (images));
  g_assert_cmpuint (g_strv_length ((char **) classes), ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpstr (classes[i], ==, cifar_classes[i]);

  px = (const guint8 *) lt_tensor_get_data_ptr (images);
  lb = (const gint64 *) lt_tensor_get_data_ptr (labels);
  for (gint64 r = 0; r < n; r++)
    {
      g_autoptr(LtTensor) input = NULL;
      g_autoptr(LtTensor) target = NULL;
      gint64 label;
      const guint8 *item;

      g_assert_cmpint (lb[r], ==, cifar_label (r));
      for (guint c = 0; c < 3; c++)
        for (guint y = 0; y < 32; y++)
          for (guint x = 0; x < 32; x++)
            g_assert_cmpuint (px[r * 3072 + c * 1024 + y * 32 + x], ==, cifar_pixel (r, c, y, x));

      g_assert_true (lt_dataset_get_item (LT_DATASET (ds), r, &input, &target, &error));
      g_assert_no_error (error);
      /* The item is a view of the images tensor. */
      assert_shape (input, (gint64[]) { 3, 32, 32 }, 3);
      g_assert_cmpint (lt_tensor_get_dtype (input), ==, LT_DTYPE_UINT8);
      g_assert_true (lt_tensor_shares_storage (input, images));
      item = (const guint8 *) lt_tensor_get_data_ptr (input);
      g_assert_true (item == px + r * 3072);
      g_assert_cmpuint (lt_tensor_get_n_dims (target), ==, 0);
      g_assert_cmpint (lt_tensor_get_dtype (target), ==, LT_DTYPE_INT64);
      g_assert_true (lt_tensor_item_int64 (target, &label, &error));
      g_assert_cmpint (label, ==, cifar_label (r));
    }
}

GBytes *
gzip_bytes (const void *data,
            gsize       len)
{
  g_autoptr(GZlibCompressor) c = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) gz = g_converter_output_stream_new (mem, G_CONVERTER (c));
  g_autoptr(GError) error = NULL;
  gsize written;

  g_assert_true (g_output_stream_write_all (gz, data, len, &written, NULL, &error));
  g_assert_true (g_output_stream_close (gz, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}
