/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Datasets (libtensor/data/): the LtDataset interface, LtSubset and
 * lt_random_split, transforms run on items; MNIST from generated IDX
 * files, raw and gzipped; Fashion-MNIST from Debian's real files; image
 * folders of PNG files written with gdk-pixbuf. CIFAR-10 is in
 * test-datasets-cifar.c, downloads in test-download.c; the shared
 * fixtures in datasets-fixtures.{h,c}.
 *
 * The expected pixels and labels are the formulas the files were written
 * from, never the library's own output.
 */
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "datasets-fixtures.h"

#define FASHION_ROOT "/usr/share/datasets/fashion-mnist"

/* IDX and MNIST */

static void
put_be32 (guint8  *p,
          guint32  v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static guint8
mnist_pixel (gint64 i, guint y, guint x)
{
  return (guint8) ((i * 29 + y * 11 + x * 3 + y * x) & 0xff);
}

static guint8
mnist_label (gint64 i)
{
  return (guint8) ((i * 7 + 3) % 10);
}

static guint8 *
idx_images (guint32 n,
            gsize  *len)
{
  guint8 *d = g_malloc0 (16 + (gsize) n * 784);

  d[2] = 0x08;
  d[3] = 3;
  put_be32 (d + 4, n);
  put_be32 (d + 8, 28);
  put_be32 (d + 12, 28);
  for (guint32 i = 0; i < n; i++)
    for (guint y = 0; y < 28; y++)
      for (guint x = 0; x < 28; x++)
        d[16 + i * 784 + y * 28 + x] = mnist_pixel (i, y, x);
  *len = 16 + (gsize) n * 784;
  return d;
}

static guint8 *
idx_labels (guint32 n,
            gsize  *len)
{
  guint8 *d = g_malloc0 (8 + n);

  d[2] = 0x08;
  d[3] = 1;
  put_be32 (d + 4, n);
  for (guint32 i = 0; i < n; i++)
    d[8 + i] = mnist_label (i);
  *len = 8 + n;
  return d;
}

static void
write_idx (const char   *root,
           const char   *name,
           const guint8 *data,
           gsize         len,
           gboolean      gz)
{
  g_autofree char *base = g_strconcat (name, gz ? ".gz" : "", NULL);
  g_autofree char *path = g_build_filename (root, base, NULL);

  if (gz)
    {
      g_autoptr(GBytes) b = gzip_bytes (data, len);

      write_file (path, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
    }
  else
    write_file (path, data, len);
}

static void
check_mnist (LtMnist *ds,
             guint32  n)
{
  g_autoptr(GError) error = NULL;
  LtTensor *images = lt_mnist_get_images (ds);
  const guint8 *px = (const guint8 *) lt_tensor_get_data_ptr (images);
  const gint64 *lb = (const gint64 *) lt_tensor_get_data_ptr (lt_mnist_get_labels (ds));

  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (ds)), ==, n);
  assert_shape (images, (gint64[]) { n, 28, 28 }, 3);
  g_assert_cmpint (lt_tensor_get_dtype (images), ==, LT_DTYPE_UINT8);
  for (guint32 i = 0; i < n; i++)
    {
      g_autoptr(LtTensor) input = NULL;
      g_autoptr(LtTensor) target = NULL;
      gint64 label;
      const guint8 *item;

      g_assert_cmpint (lb[i], ==, mnist_label (i));
      g_assert_true (lt_dataset_get_item (LT_DATASET (ds), i, &input, &target, &error));
      g_assert_no_error (error);
      assert_shape (input, (gint64[]) { 1, 28, 28 }, 3);
      g_assert_true (lt_tensor_shares_storage (input, images));
      item = (const guint8 *) lt_tensor_get_data_ptr (input);
      for (guint y = 0; y < 28; y++)
        for (guint x = 0; x < 28; x++)
          {
            g_assert_cmpuint (px[i * 784 + y * 28 + x], ==, mnist_pixel (i, y, x));
            g_assert_cmpuint (item[y * 28 + x], ==, mnist_pixel (i, y, x));
          }
      g_assert_true (lt_tensor_item_int64 (target, &label, &error));
      g_assert_cmpint (label, ==, mnist_label (i));
    }
}

static void
test_mnist_generated (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *raw = g_build_filename (root, "FashionMNIST", "raw", NULL);
  g_autoptr(GError) error = NULL;
  gsize li, ll, ti, tl;
  g_autofree guint8 *im = idx_images (12, &li);
  g_autofree guint8 *lb = idx_labels (12, &ll);
  g_autofree guint8 *tim = idx_images (5, &ti);
  g_autofree guint8 *tlb = idx_labels (5, &tl);
  const char *const *classes;
  LtMnist *ds;

  /* Training set gzipped, test set raw. */
  write_idx (root, "train-images-idx3-ubyte", im, li, TRUE);
  write_idx (root, "train-labels-idx1-ubyte", lb, ll, TRUE);
  write_idx (root, "t10k-images-idx3-ubyte", tim, ti, FALSE);
  write_idx (root, "t10k-labels-idx1-ubyte", tlb, tl, FALSE);

  ds = lt_mnist_new (root, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_no_error (error);
  check_mnist (ds, 12);
  classes = lt_mnist_get_classes (ds);
  g_assert_cmpuint (g_strv_length ((char **) classes), ==, 10);
  g_assert_cmpstr (classes[0], ==, "0 - zero");
  g_assert_cmpstr (classes[9], ==, "9 - nine");
  g_assert_cmpint (lt_mnist_get_variant (ds), ==, LT_MNIST_VARIANT_MNIST);
  g_assert_true (lt_mnist_get_train (ds));
  g_assert_finalize_object (ds);

  ds = lt_mnist_new (root, FALSE, LT_MNIST_VARIANT_FASHION_MNIST, NULL, NULL, &error);
  g_assert_no_error (error);
  check_mnist (ds, 5);
  classes = lt_mnist_get_classes (ds);
  g_assert_cmpstr (classes[0], ==, "T-shirt/top");
  g_assert_cmpstr (classes[9], ==, "Ankle boot");
  g_assert_finalize_object (ds);

  /* torchvision's layout, root/FashionMNIST/raw/ */
  g_assert_cmpint (g_mkdir_with_parents (raw, 0755), ==, 0);
  write_idx (raw, "t10k-images-idx3-ubyte", im, li, FALSE);
  write_idx (raw, "t10k-labels-idx1-ubyte", lb, ll, TRUE);
  {
    g_autofree char *a = g_build_filename (root, "t10k-images-idx3-ubyte", NULL);
    g_autofree char *b = g_build_filename (root, "t10k-labels-idx1-ubyte", NULL);

    g_unlink (a);
    g_unlink (b);
  }
  ds = lt_mnist_new (root, FALSE, LT_MNIST_VARIANT_FASHION_MNIST, NULL, NULL, &error);
  g_assert_no_error (error);
  check_mnist (ds, 12);
  g_assert_finalize_object (ds);

  /* MNIST has no default folder. */
  g_assert_null (lt_mnist_new (NULL, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  remove_tree (root);
}

static void
test_idx_types (void)
{
  g_autoptr(GError) error = NULL;
  /* int32 (2, 2): 1, -2, 65536, 7 big-endian */
  const guint8 i32[] = { 0, 0, 0x0c, 2, 0, 0, 0, 2, 0, 0, 0, 2,
                         0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 1, 0, 0, 0, 0, 0, 7 };
  /* float32 (2): 1.5, -0.25 */
  const guint8 f32[] = { 0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xbe, 0x80, 0, 0 };
  /* int16 (3) in 0 dims? no: (3): 258, -1, 0 */
  const guint8 i16[] = { 0, 0, 0x0b, 1, 0, 0, 0, 3, 1, 2, 0xff, 0xff, 0, 0 };
  g_autoptr(LtTensor) a = _lt_idx_parse (i32, sizeof i32, "i32", &error);
  g_autoptr(LtTensor) b = _lt_idx_parse (f32, sizeof f32, "f32", &error);
  g_autoptr(LtTensor) c = _lt_idx_parse (i16, sizeof i16, "i16", &error);
  g_autofree gint64 *va = NULL;
  g_autofree double *vb = NULL;
  g_autofree gint64 *vc = NULL;
  gsize n;

  g_assert_no_error (error);
  assert_shape (a, (gint64[]) { 2, 2 }, 2);
  g_assert_cmpint (lt_tensor_get_dtype (a), ==, LT_DTYPE_INT32);
  va = lt_tensor_to_int64s (a, &n, &error);
  g_assert_cmpint (va[0], ==, 1);
  g_assert_cmpint (va[1], ==, -2);
  g_assert_cmpint (va[2], ==, 65536);
  g_assert_cmpint (va[3], ==, 7);
  g_assert_cmpint (lt_tensor_get_dtype (b), ==, LT_DTYPE_FLOAT32);
  vb = lt_tensor_to_doubles (b, &n, &error);
  g_assert_cmpfloat (vb[0], ==, 1.5);
  g_assert_cmpfloat (vb[1], ==, -0.25);
  vc = lt_tensor_to_int64s (c, &n, &error);
  g_assert_cmpint (vc[0], ==, 258);
  g_assert_cmpint (vc[1], ==, -1);
  g_assert_cmpint (vc[2], ==, 0);
}

static void
expect_mnist_error (const char *root,
                    gint        code,
                    const char *s1,
                    const char *s2)
{
  g_autoptr(GError) error = NULL;
  LtMnist *ds = lt_mnist_new (root, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);

  g_assert_null (ds);
  assert_error_mentions (error, LT_ERROR, code, s1, s2);
  g_test_message ("%s", error->message);
}

static void
test_mnist_bad (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *images = g_build_filename (root, "train-images-idx3-ubyte", NULL);
  g_autofree char *labels = g_build_filename (root, "train-labels-idx1-ubyte", NULL);
  g_autofree char *images_gz = g_build_filename (root, "train-images-idx3-ubyte.gz", NULL);
  g_autoptr(GError) error = NULL;
  gsize li, ll;
  g_autofree guint8 *im = idx_images (12, &li);
  g_autofree guint8 *lb = idx_labels (12, &ll);
  guint8 copy[64];
  LtIdxHeader h;

  /* A missing file. */
  write_file (labels, lb, ll);
  expect_mnist_error (root, LT_ERROR_IO, images, NULL);

  /* A bad magic. */
  memcpy (copy, im, 64);
  copy[1] = 1;
  write_file (images, copy, 64);
  expect_mnist_error (root, LT_ERROR_FORMAT, images, "bad IDX magic number 00 01 08 03 at byte offset 0");

  /* Dimensions whose product overflows 64 bits. */
  memcpy (copy, im, 64);
  put_be32 (copy + 4, 0xffffffff);
  put_be32 (copy + 8, 0xffffffff);
  put_be32 (copy + 12, 0xffffffff);
  write_file (images, copy, 64);
  expect_mnist_error (root, LT_ERROR_FORMAT, images, "overflow");

  /* Dimensions that exceed the file. */
  memcpy (copy, im, 64);
  put_be32 (copy + 4, 60000);
  write_file (images, copy, 64);
  expect_mnist_error (root, LT_ERROR_FORMAT, images,
                      "need 47040000 bytes of data from byte offset 16 but the file ends at byte offset 64");

  /* A header cut short; bytes after the data. */
  write_file (images, im, 10);
  expect_mnist_error (root, LT_ERROR_FORMAT, images, "byte offset 10");
  {
    g_autofree guint8 *longer = g_malloc0 (li + 3);

    memcpy (longer, im, li);
    write_file (images, longer, li + 3);
    expect_mnist_error (root, LT_ERROR_FORMAT, images, "byte offset 9424");
  }

  /* A label file whose count differs from its image file. */
  write_file (images, im, li);
  {
    gsize l11;
    g_autofree guint8 *lb11 = idx_labels (11, &l11);

    write_file (labels, lb11, l11);
    expect_mnist_error (root, LT_ERROR_FORMAT, labels, images);
  }

  /* A label over 9, at byte offset 8 + 5. */
  lb[8 + 5] = 10;
  write_file (labels, lb, ll);
  expect_mnist_error (root, LT_ERROR_FORMAT, labels, "label 10 at byte offset 13");
  lb[8 + 5] = 1;
  write_file (labels, lb, ll);

  /* Broken gzip data. */
  g_unlink (images);
  {
    g_autoptr(GBytes) gz = gzip_bytes (im, li);
    g_autofree guint8 *cut = g_memdup2 (g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));

    write_file (images_gz, cut, g_bytes_get_size (gz) / 2);
    expect_mnist_error (root, LT_ERROR_FORMAT, images_gz, "gzip");
  }

  /* Images in the wrong type. */
  g_assert_true (_lt_idx_parse_header ((const guint8[]) { 0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0 },
                                       12, "one float", &h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.data_offset, ==, 8);
  g_assert_cmpuint (h.data_size, ==, 4);
  g_assert_false (_lt_idx_parse_header ((const guint8[]) { 0, 0, 0x08, 9 }, 4, "nine dims",
                                        &h, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "nine dims", "9 dimensions");
  remove_tree (root);
}

/* Fashion-MNIST, the real files */

static void
test_fashion_mnist_real (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtMnist *train = NULL;
  autofinal LtMnist *test = NULL;
  gint64 counts[10] = { 0 };
  const gint64 *lb;
  gint64 t0, t1;
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) target = NULL;

  require_path (FASHION_ROOT, "dataset-fashion-mnist");

  t0 = g_get_monotonic_time ();
  train = lt_mnist_new (NULL, TRUE, LT_MNIST_VARIANT_FASHION_MNIST, NULL, NULL, &error);
  t1 = g_get_monotonic_time ();
  g_assert_no_error (error);
  g_test_message ("Fashion-MNIST training set (gzip) loaded in %.3f s", (t1 - t0) / 1e6);
  /* Under 1 s is the target (bench/); the test allows for loaded machines
   * and sanitizers. */
  g_assert_cmpint (t1 - t0, <, 10 * G_USEC_PER_SEC);

  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (train)), ==, 60000);
  assert_shape (lt_mnist_get_images (train), (gint64[]) { 60000, 28, 28 }, 3);
  lb = (const gint64 *) lt_tensor_get_data_ptr (lt_mnist_get_labels (train));
  for (gint64 i = 0; i < 60000; i++)
    {
      g_assert_cmpint (lb[i], >=, 0);
      g_assert_cmpint (lb[i], <, 10);
      counts[lb[i]]++;
    }
  for (guint c = 0; c < 10; c++)
    g_assert_cmpint (counts[c], ==, 6000);
  g_assert_cmpint (lb[0], ==, 9);
  g_assert_cmpstr (lt_mnist_get_classes (train)[lb[0]], ==, "Ankle boot");
  g_assert_true (lt_dataset_get_item (LT_DATASET (train), 0, &input, &target, &error));
  g_assert_no_error (error);
  assert_shape (input, (gint64[]) { 1, 28, 28 }, 3);
  g_clear_object (&input);
  g_clear_object (&target);

  test = lt_mnist_new (NULL, FALSE, LT_MNIST_VARIANT_FASHION_MNIST, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (test)), ==, 10000);
  memset (counts, 0, sizeof counts);
  lb = (const gint64 *) lt_tensor_get_data_ptr (lt_mnist_get_labels (test));
  for (gint64 i = 0; i < 10000; i++)
    counts[lb[i]]++;
  for (guint c = 0; c < 10; c++)
    g_assert_cmpint (counts[c], ==, 1000);
  g_assert_true (lt_dataset_get_item (LT_DATASET (test), 9999, &input, &target, &error));
  g_assert_no_error (error);
}

/* The interface, subsets and random splits, with a dataset written here:
 * item i is (float64 [i, 2i], int64 i % 3); some modes misbehave. */

typedef enum {
  TEST_DS_GOOD,
  TEST_DS_FAIL_SILENTLY,  /* FALSE without an error, as a Python exception gives */
  TEST_DS_NO_INPUT,       /* TRUE without an input */
  TEST_DS_FAIL,           /* FALSE with an error */
} TestDsMode;

#define TEST_TYPE_DS (test_ds_get_type ())
G_DECLARE_FINAL_TYPE (TestDs, test_ds, TEST, DS, GObject)

struct _TestDs
{
  GObject parent_instance;
  gint64 n;
  TestDsMode mode;
  gint calls;
};

static void test_ds_dataset_init (LtDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDs, test_ds, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, test_ds_dataset_init))

static gint64
test_ds_get_length (LtDataset *ds)
{
  return TEST_DS (ds)->n;
}

static gboolean
test_ds_get_item (LtDataset *ds,
                  gint64     index,
                  LtTensor **input,
                  LtTensor **target,
                  GError   **error)
{
  TestDs *self = TEST_DS (ds);
  double v[2] = { (double) index, 2.0 * index };
  gint64 t = index % 3;

  g_atomic_int_inc (&self->calls);
  switch (self->mode)
    {
    case TEST_DS_FAIL_SILENTLY:
      return FALSE;
    case TEST_DS_FAIL:
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "item %" G_GINT64_FORMAT " is broken", index);
      return FALSE;
    case TEST_DS_NO_INPUT:
      return TRUE;
    case TEST_DS_GOOD:
    default:
      break;
    }
  *input = lt_tensor_new_from_doubles (v, 2, (gint64[]) { 2 }, 1, LT_DTYPE_FLOAT64, error);
  *target = lt_tensor_new_from_int64s (&t, 1, NULL, 0, LT_DTYPE_INT64, error);
  return *input != NULL && *target != NULL;
}

static void
test_ds_dataset_init (LtDatasetInterface *iface)
{
  iface->get_length = test_ds_get_length;
  iface->get_item = test_ds_get_item;
}

static void
test_ds_class_init (TestDsClass *klass)
{
}

static void
test_ds_init (TestDs *self)
{
}

static TestDs *
test_ds_new (gint64     n,
             TestDsMode mode)
{
  TestDs *self = g_object_new (TEST_TYPE_DS, NULL);

  self->n = n;
  self->mode = mode;
  return self;
}

static gint64
item_index (LtDataset *ds,
            gint64     i)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) target = NULL;
  double v[2];
  gint64 t;
  gsize nv;

  g_assert_true (lt_dataset_get_item (ds, i, &input, &target, &error));
  g_assert_no_error (error);
  {
    g_autofree double *vals = lt_tensor_to_doubles (input, &nv, &error);

    v[0] = vals[0];
    v[1] = vals[1];
  }
  g_assert_cmpfloat (v[1], ==, 2 * v[0]);
  g_assert_true (lt_tensor_item_int64 (target, &t, &error));
  g_assert_cmpint (t, ==, (gint64) v[0] % 3);
  return (gint64) v[0];
}

static void
test_dataset_interface (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDs *good = test_ds_new (10, TEST_DS_GOOD);
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) target = NULL;

  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (good)), ==, 10);
  g_assert_cmpint (item_index (LT_DATASET (good), 7), ==, 7);

  /* Out of range, either side: no call reaches the implementation. */
  good->calls = 0;
  g_assert_false (lt_dataset_get_item (LT_DATASET (good), 10, &input, &target, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_INDEX, "10", "10 items");
  g_clear_error (&error);
  g_assert_false (lt_dataset_get_item (LT_DATASET (good), -1, &input, &target, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_cmpint (good->calls, ==, 0);
  g_assert_null (input);

  /* Optional outputs. */
  g_assert_true (lt_dataset_get_item (LT_DATASET (good), 3, NULL, &target, &error));
  g_assert_nonnull (target);
  g_clear_object (&target);

  for (TestDsMode m = TEST_DS_FAIL_SILENTLY; m <= TEST_DS_FAIL; m++)
    {
      autofinal TestDs *bad = test_ds_new (4, m);
      gint code = m == TEST_DS_FAIL ? LT_ERROR_IO : LT_ERROR_FAILED;

      g_assert_false (lt_dataset_get_item (LT_DATASET (bad), 1, &input, &target, &error));
      g_assert_error (error, LT_ERROR, code);
      g_assert_null (input);
      g_assert_null (target);
      g_clear_error (&error);
    }
}

static void
test_subset (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDs   *ds = test_ds_new (10, TEST_DS_GOOD);
  const gint64 idx[] = { 9, 2, 2, 0 };
  autofinal LtSubset *sub = lt_subset_new (LT_DATASET (ds), idx, 4, &error);
  autofinal LtSubset *subsub = NULL;
  const gint64 *got;
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (sub)), ==, 4);
  for (gint64 i = 0; i < 4; i++)
    g_assert_cmpint (item_index (LT_DATASET (sub), i), ==, idx[i]);
  got = lt_subset_get_indices (sub, &n);
  g_assert_cmpmem (got, n * sizeof (gint64), idx, sizeof idx);
  g_assert_true (lt_subset_get_dataset (sub) == LT_DATASET (ds));

  /* A subset of a subset. */
  subsub = lt_subset_new (LT_DATASET (sub), (const gint64[]) { 3, 0 }, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item_index (LT_DATASET (subsub), 0), ==, 0);
  g_assert_cmpint (item_index (LT_DATASET (subsub), 1), ==, 9);

  g_assert_null (lt_subset_new (LT_DATASET (ds), (const gint64[]) { 0, 10 }, 2, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_INDEX, "10", "position 1");
  g_clear_error (&error);
  g_assert_null (lt_subset_new (LT_DATASET (ds), (const gint64[]) { -1 }, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  /* Out of range in the subset is caught before the dataset sees it. */
  g_assert_false (lt_dataset_get_item (LT_DATASET (sub), 4, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
}

static GPtrArray *
split (LtDataset    *ds,
       guint64       seed,
       const gint64 *lengths,
       gsize         n)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_object_unref);
  LtSubset **got;
  gsize k;

  lt_manual_seed (seed);
  got = lt_random_split (ds, lengths, n, &error);
  g_assert_no_error (error);
  for (k = 0; got[k]; k++)
    g_ptr_array_add (parts, got[k]);
  g_free (got);
  g_assert_cmpuint (k, ==, n);
  return parts;
}

static void
test_random_split (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDs *ds = test_ds_new (50, TEST_DS_GOOD);
  const gint64 lengths[] = { 20, 0, 25, 5 };
  g_autoptr(GPtrArray) a = split (LT_DATASET (ds), 42, lengths, 4);
  g_autoptr(GPtrArray) b = split (LT_DATASET (ds), 42, lengths, 4);
  g_autoptr(GPtrArray) c = split (LT_DATASET (ds), 43, lengths, 4);
  g_autoptr(LtTensor) perm = NULL;
  const gint64 *p;
  gboolean seen[50] = { FALSE };
  gboolean differs = FALSE;
  gint64 at = 0;

  /* As torch.utils.data.random_split: parts are consecutive slices of
   * randperm(n) drawn right after the seed. */
  lt_manual_seed (42);
  perm = lt_randperm (50, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
  p = (const gint64 *) lt_tensor_get_data_ptr (perm);
  for (guint k = 0; k < 4; k++)
    {
      gsize n, nb, nc;
      const gint64 *ia = lt_subset_get_indices (a->pdata[k], &n);
      const gint64 *ib = lt_subset_get_indices (b->pdata[k], &nb);
      const gint64 *ic = lt_subset_get_indices (c->pdata[k], &nc);

      g_assert_cmpuint (n, ==, lengths[k]);
      g_assert_cmpuint (nc, ==, lengths[k]);
      g_assert_cmpmem (ia, n * sizeof (gint64), ib, nb * sizeof (gint64));
      g_assert_cmpmem (ia, n * sizeof (gint64), p + at, n * sizeof (gint64));
      for (gsize i = 0; i < n; i++)
        {
          g_assert_false (seen[ia[i]]);
          seen[ia[i]] = TRUE;
          g_assert_cmpint (item_index (LT_DATASET (a->pdata[k]), (gint64) i), ==, ia[i]);
          differs = differs || ia[i] != ic[i];
        }
      at += (gint64) n;
    }
  for (guint i = 0; i < 50; i++)
    g_assert_true (seen[i]);
  g_assert_true (differs);

  g_assert_null (lt_random_split (LT_DATASET (ds), (const gint64[]) { 20, 20 }, 2, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "40", "50");
  g_clear_error (&error);
  g_assert_null (lt_random_split (LT_DATASET (ds), (const gint64[]) { 60, -10 }, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The split of a real dataset: CIFAR-10 items through a subset. */
  {
    g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
    g_free (write_cifar_folder (root));
    autofinal LtCifar10 *cifar = lt_cifar10_new (root, TRUE, NULL, NULL, FALSE, NULL, &error);
    g_autoptr(GPtrArray) parts = NULL;
    gint64 n = lt_dataset_get_length (LT_DATASET (cifar));

    g_assert_no_error (error);
    parts = split (LT_DATASET (cifar), 7, (const gint64[]) { n - 10, 10 }, 2);
    for (gint64 i = 0; i < 10; i++)
      {
        g_autoptr(LtTensor) input = NULL;
        g_autoptr(LtTensor) target = NULL;
        const gint64 *idx = lt_subset_get_indices (parts->pdata[1], NULL);
        gint64 label;

        g_assert_true (lt_dataset_get_item (LT_DATASET (parts->pdata[1]), i, &input, &target,
                                            &error));
        g_assert_true (lt_tensor_item_int64 (target, &label, &error));
        g_assert_cmpint (label, ==, cifar_label (idx[i]));
        g_assert_cmpuint (((const guint8 *) lt_tensor_get_data_ptr (input))[5], ==,
                          cifar_pixel (idx[i], 0, 0, 5));
      }
    remove_tree (root);
  }
}

/* Image folders, of PNG files written with gdk-pixbuf */

static guint8
png_value (guint img, guint c, guint y, guint x)
{
  return (guint8) ((img * 50 + c * 70 + y * 9 + x * 17) & 0xff);
}

static void
write_png (const char *path,
           guint       img,
           int         w,
           int         h,
           gboolean    alpha)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, w, h);
  guint8 *px = gdk_pixbuf_get_pixels (pb);
  int stride = gdk_pixbuf_get_rowstride (pb), nc = alpha ? 4 : 3;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        for (int c = 0; c < 3; c++)
          px[y * stride + x * nc + c] = png_value (img, c, y, x);
        if (alpha)
          px[y * stride + x * nc + 3] = (guint8) (x * 40);
      }
  g_assert_true (gdk_pixbuf_save (pb, path, "png", &error, NULL));
  g_assert_no_error (error);
}

static void
check_png_item (LtDataset *ds,
                gint64     index,
                guint      img,
                int        w,
                int        h,
                gint64     label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) target = NULL;
  const guint8 *px;
  gint64 got;

  g_assert_true (lt_dataset_get_item (ds, index, &input, &target, &error));
  g_assert_no_error (error);
  assert_shape (input, (gint64[]) { 3, h, w }, 3);
  g_assert_cmpint (lt_tensor_get_dtype (input), ==, LT_DTYPE_UINT8);
  px = (const guint8 *) lt_tensor_get_data_ptr (input);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        g_assert_cmpuint (px[(c * h + y) * w + x], ==, png_value (img, c, y, x));
  g_assert_true (lt_tensor_item_int64 (target, &got, &error));
  g_assert_cmpint (got, ==, label);
}

static void
test_image_folder (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *cat = g_build_filename (root, "cat", NULL);
  g_autofree char *dog = g_build_filename (root, "dog", NULL);
  g_autofree char *deep = g_build_filename (root, "dog", "puppies", NULL);
  g_autofree char *empty = g_build_filename (root, "emu", NULL);
  g_autofree char *p = NULL;
  g_autoptr(GError) error = NULL;
  autofinal LtImageFolder *ds = NULL;
  const char *const *classes;

  g_assert_cmpint (g_mkdir_with_parents (cat, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  /* Written out of order; listed sorted. */
  p = g_build_filename (cat, "b.png", NULL);
  write_png (p, 1, 5, 4, FALSE);
  g_free (p);
  p = g_build_filename (cat, "a.PNG", NULL);
  write_png (p, 0, 3, 2, TRUE);
  g_free (p);
  p = g_build_filename (cat, "notes.txt", NULL);
  write_file (p, "not an image", 12);
  g_free (p);
  p = g_build_filename (dog, "z.png", NULL);
  write_png (p, 2, 7, 6, FALSE);
  g_free (p);
  p = g_build_filename (deep, "a.png", NULL);
  write_png (p, 3, 2, 2, FALSE);
  g_free (p);
  p = g_build_filename (root, "README.png", NULL);   /* a file at the top: no class */
  write_png (p, 4, 1, 1, FALSE);
  g_free (p);

  ds = lt_image_folder_new (root, NULL, NULL, &error);
  g_assert_no_error (error);
  classes = lt_image_folder_get_classes (ds);
  g_assert_cmpuint (g_strv_length ((char **) classes), ==, 2);
  g_assert_cmpstr (classes[0], ==, "cat");
  g_assert_cmpstr (classes[1], ==, "dog");
  g_assert_cmpint (lt_dataset_get_length (LT_DATASET (ds)), ==, 4);
  /* "a.PNG" < "b.png" (byte order); dog's own files before its subfolder's */
  check_png_item (LT_DATASET (ds), 0, 0, 3, 2, 0);
  check_png_item (LT_DATASET (ds), 1, 1, 5, 4, 0);
  check_png_item (LT_DATASET (ds), 2, 2, 7, 6, 1);
  check_png_item (LT_DATASET (ds), 3, 3, 2, 2, 1);
  g_assert_true (g_str_has_suffix (lt_image_folder_get_path (ds, 3), "puppies/a.png"));
  g_assert_cmpint (lt_image_folder_get_label (ds, 2), ==, 1);
  g_assert_null (lt_image_folder_get_path (ds, 4));

  /* A broken file fails when its item is read, naming it. */
  p = g_build_filename (cat, "b.png", NULL);
  write_file (p, "\x89PNG\r\n\x1a\n broken", 16);
  {
    g_autoptr(LtTensor) input = NULL;
    g_autoptr(LtTensor) target = NULL;

    g_assert_false (lt_dataset_get_item (LT_DATASET (ds), 1, &input, &target, &error));
    assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, p, NULL);
    g_clear_error (&error);
  }
  g_free (g_steal_pointer (&p));

  /* A class folder without images; no class folders; no folder. */
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_null (lt_image_folder_new (root, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, empty, NULL);
  g_clear_error (&error);
  g_assert_null (lt_image_folder_new (deep, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, deep, "no class folders");
  g_clear_error (&error);
  p = g_build_filename (root, "nowhere", NULL);
  g_assert_null (lt_image_folder_new (p, NULL, NULL, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_IO, p, NULL);
  remove_tree (root);
}

/* Transforms run on items: a transform written here (adds 1 to a float
 * copy) on the input, one that doubles the label on the target. */

#define TEST_TYPE_PLUS (test_plus_get_type ())
G_DECLARE_FINAL_TYPE (TestPlus, test_plus, TEST, PLUS, GObject)

struct _TestPlus
{
  GObject parent_instance;
  double add;
  double mul;
};

static LtTensor *
test_plus_apply (LtTransform *transform,
                 LtTensor    *input,
                 GError     **error)
{
  TestPlus *self = TEST_PLUS (transform);
  g_autoptr(LtTensor) f = lt_tensor_to_dtype (input, LT_DTYPE_FLOAT32, error);
  g_autoptr(LtTensor) m = f ? lt_tensor_mul_scalar (f, self->mul, error) : NULL;

  return m ? lt_tensor_add_scalar (m, self->add, error) : NULL;
}

static void
test_plus_transform_init (LtTransformInterface *iface)
{
  iface->apply = test_plus_apply;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestPlus, test_plus, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, test_plus_transform_init))

static void
test_plus_class_init (TestPlusClass *klass)
{
}

static void
test_plus_init (TestPlus *self)
{
}

static void
test_transforms_on_items (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_free (write_cifar_folder (root));
  g_autoptr(GError) error = NULL;
  autofinal TestPlus  *plus = g_object_new (TEST_TYPE_PLUS, NULL);
  autofinal TestPlus  *twice = g_object_new (TEST_TYPE_PLUS, NULL);
  autofinal LtCifar10 *ds = NULL;
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) target = NULL;
  g_autoptr(LtTensor) compose_in = NULL;
  g_autoptr(LtTensor) compose_tg = NULL;
  autofinal LtTransform *to_tensor = lt_to_tensor_new ();
  autofinal LtCifar10   *ds2 = NULL;
  double label;
  g_autofree double *v = NULL;
  gsize nv;

  plus->add = 1;
  plus->mul = 1;
  twice->mul = 2;
  ds = lt_cifar10_new (root, FALSE, LT_TRANSFORM (plus), LT_TRANSFORM (twice), FALSE, NULL,
                       &error);
  g_assert_no_error (error);
  g_assert_true (lt_cifar10_get_transform (ds) == LT_TRANSFORM (plus));
  g_assert_true (lt_dataset_get_item (LT_DATASET (ds), 3, &input, &target, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (input), ==, LT_DTYPE_FLOAT32);
  g_assert_false (lt_tensor_shares_storage (input, lt_cifar10_get_images (ds)));
  v = lt_tensor_to_doubles (input, &nv, &error);
  g_assert_cmpfloat (v[1024 + 32 + 2], ==, cifar_pixel (3, 1, 1, 2) + 1.0);
  g_assert_true (lt_tensor_item (target, &label, &error));
  g_assert_cmpfloat (label, ==, 2.0 * cifar_label (3));

  /* The library's ToTensor: uint8 CHW to float32 in [0, 1]. */
  ds2 = lt_cifar10_new (root, FALSE, to_tensor, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lt_dataset_get_item (LT_DATASET (ds2), 0, &compose_in, &compose_tg, &error));
  g_assert_no_error (error);
  g_clear_pointer (&v, g_free);
  v = lt_tensor_to_doubles (compose_in, &nv, &error);
  assert_shape (compose_in, (gint64[]) { 3, 32, 32 }, 3);
  g_assert_cmpfloat_with_epsilon (v[2 * 1024 + 5 * 32 + 6], cifar_pixel (0, 2, 5, 6) / 255.0,
                                  1e-6);
  remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Datasets: the interface, subsets, random splits, transforms on items, MNIST, image folders");

  g_test_add_func ("/datasets/interface", test_dataset_interface);
  g_test_add_func ("/datasets/subset", test_subset);
  g_test_add_func ("/datasets/random-split", test_random_split);
  g_test_add_func ("/datasets/transforms", test_transforms_on_items);
  g_test_add_func ("/datasets/mnist/generated", test_mnist_generated);
  g_test_add_func ("/datasets/mnist/idx-types", test_idx_types);
  g_test_add_func ("/datasets/mnist/bad", test_mnist_bad);
  g_test_add_func ("/datasets/fashion-mnist/real", test_fashion_mnist_real);
  g_test_add_func ("/datasets/image-folder", test_image_folder);
  return g_test_run ();
}
