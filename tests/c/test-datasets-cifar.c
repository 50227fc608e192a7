/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CIFAR-10 (libtensor/data/lt-cifar10.c) from files the tests write in its
 * exact binary format (datasets-fixtures.h), as a folder, as a tar.gz made
 * with libarchive's writer and as memory buffers; every kind of bad input,
 * and no allocation beyond the data's real size under an address-space
 * limit.
 *
 * The expected pixels and labels are the formulas the files were written
 * from, never the library's own output.
 */
#include <sys/resource.h>

#include "datasets-fixtures.h"

static void
test_cifar_folder (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_free (write_cifar_folder (root));
  g_autoptr(GError) error = NULL;
  LtCifar10 *train, *test;

  train = lt_cifar10_new (root, TRUE, NULL, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (train, TRUE);
  test = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (test, FALSE);
  g_assert_finalize_object (train);
  g_assert_finalize_object (test);
  remove_tree (root);
}

static void
test_cifar_archive (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *path = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);
  g_autofree char *folder = g_build_filename (root, LT_CIFAR10_FOLDER, NULL);
  g_autoptr(GError) error = NULL;
  /* Out of order and with "./" in front: the images still come in batch order. */
  static const int shuffled[] = { 5, 2, -1, 4, 0, 3, 1 };
  LtCifar10 *train, *test;

  write_cifar_archive (path, official_order, G_N_ELEMENTS (official_order), "");
  train = lt_cifar10_new (root, TRUE, NULL, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (train, TRUE);
  test = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (test, FALSE);
  g_assert_finalize_object (train);
  g_assert_finalize_object (test);
  /* Nothing was unpacked. */
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));

  write_cifar_archive (path, shuffled, G_N_ELEMENTS (shuffled), "./");
  train = lt_cifar10_new (root, TRUE, NULL, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  check_cifar (train, TRUE);
  g_assert_finalize_object (train);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  remove_tree (root);
}

/* The parsers on memory buffers, as the fuzz targets call them. */
static void
test_cifar_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *path = g_build_filename (root, "a.tar.gz", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  g_auto(GStrv) classes = NULL;
  gsize len;
  g_autofree guint8 *bin = cifar_bin (0, 3, &len);
  const guint8 *px;

  g_assert_true (_lt_cifar10_parse_bin (bin, len, "mem.bin", &images, &labels, &error));
  g_assert_no_error (error);
  assert_shape (images, (gint64[]) { 3, 3, 32, 32 }, 4);
  px = (const guint8 *) lt_tensor_get_data_ptr (images);
  for (gint64 r = 0; r < 3; r++)
    {
      g_assert_cmpint (((const gint64 *) lt_tensor_get_data_ptr (labels))[r], ==,
                       cifar_label (r));
      g_assert_cmpuint (px[r * 3072 + 2 * 1024 + 31 * 32 + 30], ==, cifar_pixel (r, 2, 31, 30));
    }
  g_clear_object (&images);
  g_clear_object (&labels);

  /* An empty file is a batch cut short, not a set of no images. */
  g_assert_false (_lt_cifar10_parse_bin (bin, 0, "empty.bin", &images, &labels, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "empty.bin"));
  g_assert_nonnull (strstr (error->message, "byte offset 0"));
  g_assert_null (images);
  g_clear_error (&error);

  write_cifar_archive (path, official_order, G_N_ELEMENTS (official_order), "");
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (_lt_cifar10_parse_archive ((const guint8 *) contents, len, "mem.tar.gz", FALSE,
                                            &images, &labels, &classes, &error));
  g_assert_no_error (error);
  assert_shape (images, (gint64[]) { batch_records[5], 3, 32, 32 }, 4);
  g_assert_cmpstr (classes[9], ==, "truck");
  remove_tree (root);
}

/* Bad CIFAR-10 input */

static void
expect_cifar_error (const char *root,
                    gboolean    train,
                    gint        code,
                    const char *s1,
                    const char *s2)
{
  g_autoptr(GError) error = NULL;
  LtCifar10 *ds = lt_cifar10_new (root, train, NULL, NULL, FALSE, NULL, &error);

  g_assert_null (ds);
  assert_error_mentions (error, LT_ERROR, code, s1, s2);
  g_test_message ("%s", error->message);
}

static void
test_cifar_bad_folder (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *folder = write_cifar_folder (root);
  g_autofree char *b3 = g_build_filename (folder, "data_batch_3.bin", NULL);
  g_autofree char *tb = g_build_filename (folder, "test_batch.bin", NULL);
  g_autofree char *meta = g_build_filename (folder, "batches.meta.txt", NULL);
  gsize len;
  g_autofree guint8 *data = cifar_bin (0, 3, &len);

  /* Not a multiple of 3,073 bytes: the last record is cut. */
  write_file (b3, data, 2 * 3073 + 5);
  expect_cifar_error (root, TRUE, LT_ERROR_FORMAT, b3, "byte offset 6146");

  /* A label over 9, in the second record. */
  data[3073] = 10;
  write_file (b3, data, len);
  expect_cifar_error (root, TRUE, LT_ERROR_FORMAT, b3, "label 10 at byte offset 3073");

  /* A missing file. */
  g_unlink (b3);
  expect_cifar_error (root, TRUE, LT_ERROR_IO, b3, NULL);
  /* The test set does not need it. */
  {
    g_autoptr(GError) error = NULL;
    autofinal LtCifar10 *ds = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (lt_dataset_get_length (LT_DATASET (ds)), ==, batch_records[5]);
  }

  /* The class names: missing, 9 of them, 11 of them. */
  g_unlink (meta);
  expect_cifar_error (root, FALSE, LT_ERROR_IO, meta, NULL);
  write_file (meta, "a\nb\nc\nd\ne\nf\ng\nh\ni\n", 18);
  expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, meta, "9 class names");
  write_file (meta, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", 22);
  expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, meta, "byte offset 20");

  /* No data at all: the message says where to put it. */
  remove_tree (folder);
  expect_cifar_error (root, TRUE, LT_ERROR_IO, LT_CIFAR10_URL, root);
  (void) tb;
  remove_tree (root);
}

static void
test_cifar_bad_parser (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtTensor) labels = NULL;
  gsize len;
  g_autofree guint8 *data = cifar_bin (0, 3, &len);
  guint8 im[3 * 3072];
  gint64 lb[3];
  LtCifarBinParser p;

  /* A truncated record: the file says 3 records, the data stops inside the second. */
  g_assert_true (_lt_cifar10_bin_begin (&p, "cut.bin", 3 * 3073, &error));
  p.images = im;
  p.labels = lb;
  g_assert_true (_lt_cifar10_bin_feed (&p, data, 3073 + 100, &error));
  g_assert_false (_lt_cifar10_bin_end (&p, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "cut.bin",
                         "truncated record at byte offset 3073");
  g_clear_error (&error);

  /* More data than the size given. */
  g_assert_true (_lt_cifar10_bin_begin (&p, "long.bin", 3073, &error));
  g_assert_false (_lt_cifar10_bin_feed (&p, data, 3074, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "long.bin", "byte offset 3073");
  g_clear_error (&error);

  g_assert_false (_lt_cifar10_parse_bin (data, len - 1, "short.bin", &images, &labels, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "short.bin", "byte offset 6146");
  g_assert_null (images);
  g_clear_error (&error);

  data[2 * 3073] = 255;
  g_assert_false (_lt_cifar10_parse_bin (data, len, "label.bin", &images, &labels, &error));
  assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "label.bin",
                         "label 255 at byte offset 6146");
  g_clear_error (&error);

  g_assert_true (_lt_archive_path_is_safe ("cifar-10-batches-bin/data_batch_1.bin"));
  g_assert_true (_lt_archive_path_is_safe ("./a/b..c/..d"));
  g_assert_false (_lt_archive_path_is_safe ("/etc/passwd"));
  g_assert_false (_lt_archive_path_is_safe ("a/../../b"));
  g_assert_false (_lt_archive_path_is_safe (".."));
  g_assert_false (_lt_archive_path_is_safe ("a/.."));
  g_assert_false (_lt_archive_path_is_safe (""));
  g_assert_false (_lt_archive_path_is_safe (NULL));
}

/* A 512-byte ustar header; the size may claim more than follows. */
static void
tar_header (guint8      h[512],
            const char *name,
            guint64     size)
{
  guint sum = 0;

  memset (h, 0, 512);
  g_strlcpy ((char *) h, name, 100);
  memcpy (h + 100, "0000644", 8);
  memcpy (h + 108, "0000000", 8);
  memcpy (h + 116, "0000000", 8);
  g_snprintf ((char *) h + 124, 12, "%011" G_GINT64_MODIFIER "o", size);
  memcpy (h + 136, "00000000000", 12);
  h[156] = '0';
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  memset (h + 148, ' ', 8);
  for (guint i = 0; i < 512; i++)
    sum += h[i];
  g_snprintf ((char *) h + 148, 8, "%06o", sum);
  h[155] = ' ';
}

/* A tar.gz whose member header claims 2,000,000 records (6 GB) but holds
 * 10: the error says where the data ends, and nothing near 6 GB was
 * allocated (checked under an address-space limit). */
static GBytes *
lying_archive (void)
{
  gsize len;
  g_autofree guint8 *recs = cifar_bin (0, 10, &len);
  GByteArray *tar = g_byte_array_new ();
  g_autoptr(GBytes) raw = NULL;
  guint8 h[512];

  tar_header (h, LT_CIFAR10_FOLDER "/test_batch.bin", G_GUINT64_CONSTANT (3073) * 2000000);
  g_byte_array_append (tar, h, 512);
  g_byte_array_append (tar, recs, (guint) len);
  raw = g_byte_array_free_to_bytes (tar);
  return gzip_bytes (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

static void
test_cifar_bad_archive (void)
{
  g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
  g_autofree char *path = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);
  g_autofree char *evil = g_build_filename (root, "evil", NULL);
  g_autofree char *meta = cifar_meta ();
  gsize len;
  g_autofree guint8 *bin = cifar_bin (0, 2, &len);
  g_autoptr(GBytes) lying = NULL;

  /* An absolute path, and a ".." component: refused even though they are
   * not members the dataset reads; nothing is written anywhere. */
  {
    Member m[] = { { "/tmp/lt-evil-absolute", "x", 1, AE_IFREG } };

    write_tar_gz (path, m, 1);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "/tmp/lt-evil-absolute", "absolute path");
    g_assert_false (g_file_test ("/tmp/lt-evil-absolute", G_FILE_TEST_EXISTS));
  }
  {
    Member m[] = { { LT_CIFAR10_FOLDER "/../../evil", "x", 1, AE_IFREG } };

    write_tar_gz (path, m, 1);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "\"..\"", "byte offset 0");
    g_assert_false (g_file_test (evil, G_FILE_TEST_EXISTS));
  }
  /* The dot-dot member after good ones: its header offset is named. */
  {
    Member m[] = {
      { LT_CIFAR10_FOLDER "/batches.meta.txt", meta, strlen (meta), AE_IFREG },
      { "a/../../evil", "x", 1, AE_IFREG },
    };

    write_tar_gz (path, m, 2);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "a/../../evil", "byte offset 1024");
  }
  /* A member whose size is not a multiple of 3,073. */
  {
    Member m[] = {
      { LT_CIFAR10_FOLDER "/batches.meta.txt", meta, strlen (meta), AE_IFREG },
      { LT_CIFAR10_FOLDER "/test_batch.bin", bin, len - 7, AE_IFREG },
    };

    write_tar_gz (path, m, 2);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "test_batch.bin", "byte offset 3073");
  }
  /* A label over 9 in an archive member. */
  {
    Member m[] = {
      { LT_CIFAR10_FOLDER "/test_batch.bin", bin, len, AE_IFREG },
      { LT_CIFAR10_FOLDER "/batches.meta.txt", meta, strlen (meta), AE_IFREG },
    };

    bin[3073] = 17;
    write_tar_gz (path, m, 2);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "label 17 at byte offset 3073", path);
    bin[3073] = 1;
  }
  /* A member twice; a member missing; no class names. */
  {
    Member m[] = {
      { LT_CIFAR10_FOLDER "/test_batch.bin", bin, len, AE_IFREG },
      { "./" LT_CIFAR10_FOLDER "/test_batch.bin", bin, len, AE_IFREG },
    };

    write_tar_gz (path, m, 2);
    expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "twice", NULL);
    write_tar_gz (path, m, 1);
    expect_cifar_error (root, FALSE, LT_ERROR_IO, "batches.meta.txt", NULL);
    expect_cifar_error (root, TRUE, LT_ERROR_IO, "data_batch_1.bin", NULL);
  }
  /* Not an archive. */
  write_file (path, "this is not a tar.gz file at all, only text", 43);
  expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, path, NULL);

  /* A member whose header claims more than the archive holds: the record
   * where the data stops is named (libarchive gives none of a cut tar
   * member, so that is offset 0), with the size claimed. */
  lying = lying_archive ();
  write_file (path, g_bytes_get_data (lying, NULL), g_bytes_get_size (lying));
  expect_cifar_error (root, FALSE, LT_ERROR_FORMAT, "test_batch.bin: truncated record at byte offset 0",
                      "of 6146000000");

  /* A download cut short: the gzip stream stops inside a member. */
  {
    g_autofree char *contents = NULL;
    gsize clen;

    write_cifar_archive (path, official_order, G_N_ELEMENTS (official_order), "");
    g_assert_true (g_file_get_contents (path, &contents, &clen, NULL));
    write_file (path, contents, clen * 3 / 5);
    expect_cifar_error (root, TRUE, LT_ERROR_FORMAT, path, NULL);
  }
  remove_tree (root);
}

/* The address-space limit tests are not built under AddressSanitizer,
 * which reserves terabytes of address space (no limit can be set); the
 * plain build runs them. */
#if !defined(__SANITIZE_ADDRESS__)
static gboolean
limit_address_space (gsize extra)
{
  g_autofree char *status = NULL;
  const char *vm;
  struct rlimit rl;
  guint64 kb;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return FALSE;
  vm = strstr (status, "VmSize:");
  if (vm == NULL)
    return FALSE;
  kb = g_ascii_strtoull (vm + 7, NULL, 10);
  rl.rlim_cur = rl.rlim_max = kb * 1024 + extra;
  return setrlimit (RLIMIT_AS, &rl) == 0;
}

/* Nothing allocated beyond the data's real size, under `ulimit -v`. */
static void
test_bad_input_memory_limit (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GBytes) lying = lying_archive ();
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) images = NULL;
      g_autoptr(LtTensor) labels = NULL;
      g_auto(GStrv) classes = NULL;
      guint8 idx[16 + 100] = { 0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28 };
      g_autoptr(GBytes) idx_gz = gzip_bytes (idx, sizeof idx);
      g_autofree char *root = make_tmp_dir ("lt-datasets-XXXXXX");
      g_autofree char *gz_path = g_build_filename (root, "images.gz", NULL);
      g_autoptr(GBytes) unpacked = NULL;
      LtIdxHeader h;

      write_file (gz_path, g_bytes_get_data (idx_gz, NULL), g_bytes_get_size (idx_gz));
      /* 256 MiB above what the process uses now. */
      g_assert_true (limit_address_space ((gsize) 256 << 20));

      g_assert_false (_lt_cifar10_parse_archive (g_bytes_get_data (lying, NULL),
                                                 g_bytes_get_size (lying), "lying.tar.gz",
                                                 FALSE, &images, &labels, &classes, &error));
      /* Not an allocation failure: the data ran out first. */
      assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "truncated record", NULL);
      g_clear_error (&error);

      /* 60,000 x 28 x 28 claimed, 100 bytes there, gzipped: refused from
       * the header, before anything is allocated for it (35 bytes of gzip
       * cannot unpack to 47 MB). */
      unpacked = _lt_data_read_file (gz_path, NULL, &error);
      g_assert_null (unpacked);
      assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "47040016", gz_path);
      g_clear_error (&error);
      /* The same bytes raw: read whole, refused by the header check. */
      g_assert_false (_lt_idx_parse_header (idx, sizeof idx, gz_path, &h, &error));
      assert_error_mentions (error, LT_ERROR, LT_ERROR_FORMAT, "47040000", "byte offset 116");
      remove_tree (root);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Datasets: CIFAR-10 from folders, archives and memory; every kind of bad input");

  g_test_add_func ("/datasets/cifar10/folder", test_cifar_folder);
  g_test_add_func ("/datasets/cifar10/archive", test_cifar_archive);
  g_test_add_func ("/datasets/cifar10/memory", test_cifar_memory);
  g_test_add_func ("/datasets/cifar10/bad/folder", test_cifar_bad_folder);
  g_test_add_func ("/datasets/cifar10/bad/parser", test_cifar_bad_parser);
  g_test_add_func ("/datasets/cifar10/bad/archive", test_cifar_bad_archive);
#if !defined(__SANITIZE_ADDRESS__)
  g_test_add_func ("/datasets/bad-input/memory-limit", test_bad_input_memory_limit);
#endif
  return g_test_run ();
}
