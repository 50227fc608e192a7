/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile input against the files, loaders and checkpoints: one test case
 * per probe. Each gives the library what a careless or hostile user would
 * (special files where files are expected, links, modes, tiny file size
 * limits, two writers at once, archives and images that declare more than
 * they hold) and checks that it answers with a GError naming the file,
 * never hangs, never crashes and never destroys what was there.
 *
 * Probes that hung or crashed before their fix run in a subprocess with a
 * generous watchdog, so that a regression fails instead of hanging the
 * suite.
 */
#include "hostile-helpers.h"

/* Checkpoints: reading */

static void
probe_checkpoint_load_fifo (void)
{
  g_autofree char *dir = NULL, *fifo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  fifo = make_fifo (dir, "model.safetensors");
  sd = lt_state_dict_load (fifo, &error);
  g_assert_null (sd);
  assert_lt_error (error, LT_ERROR_IO, fifo, "FIFO");
  remove_tree (dir);
}

static void
probe_checkpoint_load_folder (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = lt_state_dict_load (dir, &error);

  g_assert_null (sd);
  assert_lt_error (error, LT_ERROR_IO, dir, NULL);
  remove_tree (dir);
}

static void
probe_checkpoint_load_dev_zero (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = NULL;

  IN_SUBPROCESS ();
  sd = lt_state_dict_load ("/dev/zero", &error);
  g_assert_null (sd);
  assert_lt_error (error, LT_ERROR_IO, "/dev/zero", NULL);
}

static void
probe_trainer_resume_fifo (void)
{
  g_autofree char *dir = NULL, *fifo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HostileDataset) ds = NULL;
  g_autoptr(LtTrainer) trainer = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  fifo = make_fifo (dir, "train.safetensors");
  ds = hostile_dataset_new (4, 2, 1);
  trainer = hostile_trainer_new (ds, 0.1, 1);
  g_assert_false (lt_trainer_resume_from (trainer, fifo, &error));
  assert_lt_error (error, LT_ERROR_IO, fifo, "FIFO");
  remove_tree (dir);
}

/* Checkpoints: writing */

static void
probe_checkpoint_save_through_symlink (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *real = g_build_filename (dir, "real.safetensors", NULL);
  g_autofree char *link = g_build_filename (dir, "link.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1), v2 = small_dict (2);
  g_autofree char *got = NULL;

  save_ok (v1, real);
  g_assert_cmpint (symlink ("real.safetensors", link), ==, 0);
  save_ok (v2, link);
  /* The link is still a link, and its file holds the new version. */
  g_assert_true (S_ISLNK (mode_of (link)));
  g_assert_true (S_ISREG (mode_of (real)));
  got = version_at (real);
  g_assert_cmpstr (got, ==, "2");
  remove_tree (dir);
}

static void
probe_checkpoint_save_dangling_symlink (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *real = g_build_filename (dir, "sub", "real.safetensors", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *link = g_build_filename (dir, "link.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autofree char *got = NULL;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_cmpint (symlink ("sub/real.safetensors", link), ==, 0);
  save_ok (v1, link);
  g_assert_true (S_ISLNK (mode_of (link)));
  got = version_at (real);
  g_assert_cmpstr (got, ==, "1");
  remove_tree (dir);
}

static void
probe_checkpoint_save_keeps_mode (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "private.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1), v2 = small_dict (2);

  save_ok (v1, path);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  save_ok (v2, path);
  g_assert_cmpuint (mode_of (path) & 07777, ==, 0600);
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  save_ok (v1, path);
  g_assert_cmpuint (mode_of (path) & 07777, ==, 0640);
  remove_tree (dir);
}

static void
probe_checkpoint_save_new_file_umask (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "new.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  mode_t old = umask (002);

  /* A new file gets 0666 less the umask, as any program's. */
  save_ok (v1, path);
  umask (old);
  g_assert_cmpuint (mode_of (path) & 07777, ==, 0664);
  remove_tree (dir);
}

static void
probe_checkpoint_save_to_fifo (void)
{
  g_autofree char *dir = NULL, *fifo = NULL;
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autoptr(GBytes) want = NULL, got = NULL;
  g_autoptr(GError) error = NULL;
  FifoReader *r;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  fifo = make_fifo (dir, "stream.safetensors");
  want = lt_state_dict_serialize (v1, &error);
  g_assert_no_error (error);
  r = fifo_reader_start (fifo);
  save_ok (v1, fifo);
  got = fifo_reader_finish (r);
  /* The bytes went through the FIFO, which is still one. */
  g_assert_true (g_bytes_equal (want, got));
  g_assert_true (S_ISFIFO (mode_of (fifo)));
  remove_tree (dir);
}

static void
probe_checkpoint_save_to_fifo_without_reader (void)
{
  g_autofree char *dir = NULL, *fifo = NULL;
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autoptr(GError) error = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  fifo = make_fifo (dir, "stream.safetensors");
  g_assert_false (lt_state_dict_save (v1, fifo, &error));
  assert_lt_error (error, LT_ERROR_IO, fifo, "FIFO");
  g_assert_true (S_ISFIFO (mode_of (fifo)));
  remove_tree (dir);
}

/* A character device (the null device) given as the checkpoint: written in
 * place, never replaced. Root makes one of its own in a temporary folder
 * (replacing /dev/null would break the machine); others use /dev/null,
 * which they may not replace anyway. */
static void
probe_checkpoint_save_to_char_device (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *dev = NULL;
  g_autoptr(LtStateDict) v1 = small_dict (1);
  struct stat before, after;

  if (geteuid () == 0)
    {
      dev = g_build_filename (dir, "null", NULL);
      g_assert_cmpint (mknod (dev, S_IFCHR | 0666, makedev (1, 3)), ==, 0);
    }
  else
    dev = g_strdup ("/dev/null");
  g_assert_cmpint (stat (dev, &before), ==, 0);
  save_ok (v1, dev);
  g_assert_cmpint (stat (dev, &after), ==, 0);
  g_assert_true (S_ISCHR (after.st_mode));
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  g_assert_cmpuint (before.st_rdev, ==, after.st_rdev);
  remove_tree (dir);
}

typedef struct
{
  const char *path;
} SaveCase;

static void
save_read_only_file_child (gpointer data)
{
  SaveCase *c = data;
  g_autoptr(LtStateDict) v2 = small_dict (2);
  GError *error = NULL;

  if (lt_state_dict_save (v2, c->path, &error) || !g_error_matches (error, LT_ERROR, LT_ERROR_IO) ||
      strstr (error->message, c->path) == NULL)
    _exit (1);
  g_error_free (error);
}

static void
probe_checkpoint_save_read_only_file (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "frozen.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autofree char *got = NULL;
  SaveCase         c = { path };

  save_ok (v1, path);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  /* The folder is writable (anyone's): only the file says no. */
  g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
  g_assert_cmpint (as_unprivileged (save_read_only_file_child, &c), ==, 0);
  got = version_at (path);
  g_assert_cmpstr (got, ==, "1");
  g_assert_cmpuint (mode_of (path) & 07777, ==, 0444);
  remove_tree (dir);
}

static void
probe_checkpoint_save_long_name (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autofree char *got = NULL;
  GString         *s = g_string_new (NULL);

  /* 255 bytes, the longest name a file may have (in characters of two
   * bytes, so that shortening it must respect them). */
  while (s->len < 240)
    g_string_append (s, "é");
  g_string_append (s, ".safetensors");
  while (s->len < 255)
    g_string_prepend_c (s, 'x');
  base = g_string_free (s, FALSE);
  g_assert_cmpuint (strlen (base), ==, 255);
  path = g_build_filename (dir, base, NULL);
  save_ok (v1, path);
  save_ok (v1, path);
  got = version_at (path);
  g_assert_cmpstr (got, ==, "1");
  remove_tree (dir);
}

/* Two writers of one checkpoint at once: every save succeeds, and the file
 * is always one writer's whole version. */
typedef struct
{
  const char *path;
  double      value;
  guint       failures;
  char       *message;
} Writer;

static gpointer
writer_main (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  gint64 n = 1 << 21; /* 8 MiB a save */
  g_autoptr(LtTensor) t = lt_full (&n, 1, w->value, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();

  lt_state_dict_insert (sd, "weight", t);
  for (guint i = 0; i < 12; i++)
    if (!lt_state_dict_save (sd, w->path, &error))
      {
        w->failures++;
        if (w->message == NULL)
          w->message = g_strdup (error->message);
        g_clear_error (&error);
      }
  return NULL;
}

static void
probe_checkpoint_two_writers (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "shared.safetensors", NULL);
  Writer           a = { path, 1, 0, NULL }, b = { path, 2, 0, NULL };
  GThread         *ta, *tb;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) back = NULL;
  g_autofree double *vals = NULL;
  gsize              n;
  double             v;

  ta = g_thread_new ("writer-a", writer_main, &a);
  tb = g_thread_new ("writer-b", writer_main, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  if (a.failures || b.failures)
    g_error ("%u and %u saves failed: %s", a.failures, b.failures,
             a.message ? a.message : b.message);
  back = lt_state_dict_load (path, &error);
  g_assert_no_error (error);
  vals = lt_tensor_to_doubles (lt_state_dict_lookup (back, "weight"), &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1 << 21);
  v = vals[0];
  g_assert_true (v == 1 || v == 2);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (vals[i], ==, v);
  remove_tree (dir);
}

/* A save does not remove the temporary file of another save that is still
 * running (in another process, here one that has it open and pauses). */
static void
probe_checkpoint_keeps_live_temporary (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *other = g_build_filename (dir, ".model.safetensors.tmp-AbC123", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
  int            fds[2];
  char           c;
  pid_t          pid;
  int            status;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = open (other, O_WRONLY | O_CREAT | O_EXCL, 0644);

      close (fds[1]);
      if (fd < 0 || write (fd, "half", 4) != 4)
        _exit (1);
      if (read (fds[0], &c, 1) < 0) /* until the parent says */
        _exit (2);
      _exit (0);
    }
  close (fds[0]);
  while (!g_file_test (other, G_FILE_TEST_EXISTS))
    g_usleep (1000);
  /* It last wrote long ago. */
  g_assert_cmpint (utimes (other, tv), ==, 0);
  save_ok (v1, path);
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  close (fds[1]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  remove_tree (dir);
}

static void
save_full_disk_child (gpointer data)
{
  SaveCase *c = data;
  gint64    n = 1 << 20;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_full (&n, 1, 7, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtStateDict) sd = lt_state_dict_new ();
  struct rlimit rl = { 64 * 1024, 64 * 1024 };

  /* SIGXFSZ keeps its default action (ending the process): the library
   * must not let the write raise it. */
  signal (SIGXFSZ, SIG_DFL);
  if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
    _exit (10);
  lt_state_dict_insert (sd, "weight", t);
  if (lt_state_dict_save (sd, c->path, &error) || !g_error_matches (error, LT_ERROR, LT_ERROR_IO) ||
      strstr (error->message, g_strerror (EFBIG)) == NULL)
    _exit (11);
}

static void
probe_checkpoint_save_full_disk_default_sigxfsz (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autofree char *got = NULL;
  SaveCase         c = { path };
  pid_t            pid;
  int              status;

  save_ok (v1, path);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      save_full_disk_child (&c);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (!WIFEXITED (status))
    g_error ("the save ended the process with signal %d", WTERMSIG (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  got = version_at (path);
  g_assert_cmpstr (got, ==, "1");
  remove_tree (dir);
}

static void
probe_checkpoint_save_empty_name (void)
{
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autoptr(GError) error = NULL;

  g_assert_false (lt_state_dict_save (v1, "", &error));
  assert_lt_error (error, LT_ERROR_IO, "empty", NULL);
}

static void
probe_checkpoint_save_into_file_as_folder (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "plain", NULL);
  g_autofree char *path = g_build_filename (dir, "plain", "model.safetensors", NULL);
  g_autoptr(LtStateDict) v1 = small_dict (1);
  g_autoptr(GError) error = NULL;

  write_file (file, "x", 1);
  g_assert_false (lt_state_dict_save (v1, path, &error));
  assert_lt_error (error, LT_ERROR_IO, path, NULL);
  remove_tree (dir);
}

/* Images */

static void
probe_save_image_through_symlink (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *real = g_build_filename (dir, "real.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = lt_full (DIMS (3, 4, 5), 0.5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) back = NULL;

  write_file (real, "old", 3);
  g_assert_cmpint (g_chmod (real, 0600), ==, 0);
  g_assert_cmpint (symlink ("real.png", link), ==, 0);
  g_assert_true (lt_save_image (img, link, 8, 2, FALSE, NULL, FALSE, 0, &error));
  g_assert_no_error (error);
  g_assert_true (S_ISLNK (mode_of (link)));
  g_assert_cmpuint (mode_of (real) & 07777, ==, 0600);
  back = lt_load_image (real, &error);
  g_assert_no_error (error);
  remove_tree (dir);
}

static void
probe_load_image_fifo (void)
{
  g_autofree char *dir = NULL, *fifo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  fifo = make_fifo (dir, "picture.png");
  img = lt_load_image (fifo, &error);
  g_assert_null (img);
  assert_lt_error (error, LT_ERROR_IO, fifo, "FIFO");
  remove_tree (dir);
}

/* A 14000 x 14000 PNG (196 M pixels; 190 KiB on disk): refused from its
 * header, under an address-space limit its pixels would exceed. */
static void
probe_image_png_bomb (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  path = g_build_filename (dir, "bomb.png", NULL);
  png = png_bomb (14000, 14000);
  write_file (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  limit_address_space (256);
  img = lt_load_image (path, &error);
  g_assert_null (img);
  assert_lt_error (error, LT_ERROR_FORMAT, path, "14000 x 14000");
  g_assert_nonnull (strstr (error->message, "limit"));
  unlimit_address_space ();
  remove_tree (dir);
}

static void
probe_image_jpeg_bomb (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  path = g_build_filename (dir, "bomb.jpg", NULL);
  jpeg = jpeg_declaring (dir, 60000, 60000);
  write_file (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
  limit_address_space (256);
  img = lt_load_image (path, &error);
  g_assert_null (img);
  assert_lt_error (error, LT_ERROR_FORMAT, path, "60000 x 60000");
  unlimit_address_space ();
  remove_tree (dir);
}

/* The limit is the caller's to move, as PIL's MAX_IMAGE_PIXELS. */
static void
probe_image_pixel_limit_setting (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "small.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = lt_full (DIMS (3, 20, 30), 0.5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) back = NULL;

  g_assert_cmpuint (lt_image_get_max_pixels (), ==, LT_IMAGE_MAX_PIXELS_DEFAULT);
  g_assert_true (lt_save_image (img, path, 8, 0, FALSE, NULL, FALSE, 0, &error));
  lt_image_set_max_pixels (599);
  back = lt_load_image (path, &error);
  g_assert_null (back);
  assert_lt_error (error, LT_ERROR_FORMAT, "30 x 20 = 600 pixels", "599");
  g_clear_error (&error);
  lt_image_set_max_pixels (600);
  back = lt_load_image (path, &error);
  g_assert_no_error (error);
  g_clear_object (&back);
  lt_image_set_max_pixels (0);
  back = lt_load_image (path, &error);
  g_assert_no_error (error);
  lt_image_set_max_pixels (LT_IMAGE_MAX_PIXELS_DEFAULT);
  remove_tree (dir);
}

static void
probe_image_folder_png_bomb (void)
{
  g_autofree char *dir = NULL, *cls = NULL, *path = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtImageFolder) folder = NULL;
  LtTensor *x = NULL, *y = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  cls = g_build_filename (dir, "cats", NULL);
  g_assert_cmpint (g_mkdir (cls, 0700), ==, 0);
  path = g_build_filename (cls, "bomb.png", NULL);
  png = png_bomb (14000, 14000);
  write_file (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  folder = lt_image_folder_new (dir, NULL, NULL, &error);
  g_assert_no_error (error);
  limit_address_space (256);
  g_assert_false (lt_dataset_get_item (LT_DATASET (folder), 0, &x, &y, &error));
  assert_lt_error (error, LT_ERROR_FORMAT, path, "limit");
  unlimit_address_space ();
  remove_tree (dir);
}

static void
probe_image_empty_file (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "empty.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = NULL;

  write_file (path, "", 0);
  img = lt_load_image (path, &error);
  g_assert_null (img);
  assert_lt_error (error, LT_ERROR_FORMAT, path, NULL);
  remove_tree (dir);
}

static void
probe_image_truncated_png (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "cut.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = lt_full (DIMS (3, 64, 64), 0.25, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) back = NULL;
  g_autoptr(GBytes) whole = NULL;

  g_assert_true (lt_save_image (img, path, 8, 0, FALSE, NULL, FALSE, 0, &error));
  whole = read_file (path);
  write_file (path, g_bytes_get_data (whole, NULL), g_bytes_get_size (whole) / 2);
  back = lt_load_image (path, &error);
  g_assert_null (back);
  assert_lt_error (error, LT_ERROR_FORMAT, path, NULL);
  remove_tree (dir);
}

/* IDX (MNIST) files */

/* An MNIST folder whose four files are good, 10 images each; returns the
 * path of @which ("train-images-idx3-ubyte", ...), left out so that the
 * probe can put something else there. */
static char *
mnist_folder_without (const char *dir, const char *which)
{
  static const char *const names[] = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  };
  guint8 images[16 + 10 * 28 * 28] = { 0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28 };
  guint8 labels[8 + 10] = { 0, 0, 8, 1, 0, 0, 0, 10 };
  char  *out = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (strcmp (names[i], which) == 0)
        {
          out = g_steal_pointer (&path);
          continue;
        }
      if (strstr (names[i], "images"))
        write_file (path, images, sizeof images);
      else
        write_file (path, labels, sizeof labels);
    }
  g_assert_nonnull (out);
  return out;
}

/* 96 MiB of zeros after a header that declares 10 x 28 x 28 bytes, in
 * 100 KiB of gzip: unpacking stops at the declared size, under an address
 * space limit that the whole would exceed. */
static void
probe_idx_gzip_bomb (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;
  static const guint8 header[16] = { 0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28 };
  g_autofree guint8  *zeros = NULL;

  IN_SUBPROCESS ();
  zeros = g_malloc0 (1 << 20);
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  path = mnist_folder_without (dir, "train-images-idx3-ubyte");
  g_free (path);
  path = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  gz = zlib_repeat_after (G_ZLIB_COMPRESSOR_FORMAT_GZIP, header, sizeof header, zeros, 1 << 20, 96);
  g_assert_cmpuint (g_bytes_get_size (gz), <, 1 << 20);
  write_file (path, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  limit_address_space (32);
  ds = lt_mnist_new (dir, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, path, "7856 bytes");
  unlimit_address_space ();
  remove_tree (dir);
}

/* A header declaring 60,000 x 28 x 28 bytes in a few dozen bytes of gzip:
 * refused before anything that size is allocated. */
static void
probe_idx_gzip_declares_too_much (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;
  guint8 idx[16 + 64] = { 0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28 };

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  path = mnist_folder_without (dir, "train-images-idx3-ubyte");
  g_free (path);
  path = g_build_filename (dir, "train-images-idx3-ubyte.gz", NULL);
  gz = gzip_bytes (idx, sizeof idx);
  write_file (path, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz));
  limit_address_space (32);
  ds = lt_mnist_new (dir, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, path, NULL);
  unlimit_address_space ();
  remove_tree (dir);
}

static void
probe_idx_truncated_gzip (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;
  guint8 idx[16 + 10 * 28 * 28] = { 0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28 };

  for (gsize i = 16; i < sizeof idx; i++)
    idx[i] = (guint8) (i * 7919 % 251);
  path = mnist_folder_without (dir, "t10k-images-idx3-ubyte");
  g_free (path);
  path = g_build_filename (dir, "t10k-images-idx3-ubyte.gz", NULL);
  gz = gzip_bytes (idx, sizeof idx);
  write_file (path, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz) / 2);
  ds = lt_mnist_new (dir, FALSE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, path, NULL);
  remove_tree (dir);
}

static void
probe_idx_fifo (void)
{
  g_autofree char *dir = NULL, *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;

  IN_SUBPROCESS ();
  dir = make_tmp_dir ("lt-hostile-XXXXXX");
  path = mnist_folder_without (dir, "train-labels-idx1-ubyte");
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  ds = lt_mnist_new (dir, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_IO, path, "FIFO");
  remove_tree (dir);
}

static void
probe_idx_folder (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = mnist_folder_without (dir, "train-images-idx3-ubyte");
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  ds = lt_mnist_new (dir, TRUE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_IO, path, "folder");
  remove_tree (dir);
}

static void
probe_idx_dangling_symlink (void)
{
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = mnist_folder_without (dir, "t10k-labels-idx1-ubyte");
  g_autoptr(GError) error = NULL;
  g_autoptr(LtMnist) ds = NULL;

  g_assert_cmpint (symlink ("gone", path), ==, 0);
  ds = lt_mnist_new (dir, FALSE, LT_MNIST_VARIANT_MNIST, NULL, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_IO, "t10k-labels-idx1-ubyte", NULL);
  remove_tree (dir);
}

/* CIFAR-10 */

static char *
cifar_file (const char *root, const char *name)
{
  return g_build_filename (root, LT_CIFAR10_FOLDER, name, NULL);
}

static void
probe_cifar_empty_batch (gconstpointer data)
{
  const char      *name = data;
  g_autofree char *root = make_tmp_dir ("lt-hostile-XXXXXX");
  G_GNUC_UNUSED g_autofree char *folder = write_cifar_folder (root);
  g_autofree char *path = cifar_file (root, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtCifar10) ds = NULL;

  write_file (path, "", 0);
  ds =
    lt_cifar10_new (root, !g_str_equal (name, "test_batch.bin"), NULL, NULL, FALSE, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, path, "byte offset 0");
  remove_tree (root);
}

static void
probe_cifar_truncated_test_batch (void)
{
  g_autofree char *root = make_tmp_dir ("lt-hostile-XXXXXX");
  G_GNUC_UNUSED g_autofree char *folder = write_cifar_folder (root);
  g_autofree char *path = cifar_file (root, "test_batch.bin");
  g_autoptr(GBytes) whole = read_file (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtCifar10) ds = NULL;

  write_file (path, g_bytes_get_data (whole, NULL), LT_CIFAR10_RECORD_SIZE + 1000);
  ds = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, path, "byte offset 3073");
  remove_tree (root);
}

static void
probe_cifar_fifo (gconstpointer data)
{
  const char      *name = data;
  g_autofree char *root = NULL, *folder = NULL, *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtCifar10) ds = NULL;

  IN_SUBPROCESS ();
  root = make_tmp_dir ("lt-hostile-XXXXXX");
  folder = write_cifar_folder (root);
  path = cifar_file (root, name);
  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  ds =
    lt_cifar10_new (root, !g_str_equal (name, "test_batch.bin"), NULL, NULL, FALSE, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_IO, path, "FIFO");
  remove_tree (root);
}

static void
probe_cifar_archive_fifo (void)
{
  g_autofree char *root = NULL, *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtCifar10) ds = NULL;

  IN_SUBPROCESS ();
  root = make_tmp_dir ("lt-hostile-XXXXXX");
  path = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  ds = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_IO, path, "FIFO");
  remove_tree (root);
}

static void
probe_cifar_archive_empty_member (void)
{
  g_autofree char *root = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);
  g_autofree char *meta = cifar_meta ();
  Member           m[] = {
              { LT_CIFAR10_FOLDER "/", NULL, 0, AE_IFDIR },
              { LT_CIFAR10_FOLDER "/test_batch.bin", "", 0, AE_IFREG },
              { LT_CIFAR10_FOLDER "/batches.meta.txt", meta, strlen (meta), AE_IFREG },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtCifar10) ds = NULL;

  write_tar_gz (path, m, G_N_ELEMENTS (m));
  ds = lt_cifar10_new (root, FALSE, NULL, NULL, FALSE, NULL, &error);
  g_assert_null (ds);
  assert_lt_error (error, LT_ERROR_FORMAT, "test_batch.bin", "byte offset 0");
  remove_tree (root);
}

/* Data loaders */

/* What a dataset does to its own loader from a worker thread, at item
 * @at: drop the last reference to it, or reset it. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  LtDataLoader *loader; /* a reference, for the dataset to drop */
  gint64        at;
  gboolean      reset; /* reset instead of dropping */
  gboolean      go;    /* the main thread has let go of its reference */
  gboolean      done;
  GThread      *done_on;
} LoaderHook;

static void
loader_hook (HostileDataset *ds, gint64 index)
{
  LoaderHook   *h = ds->hook_data;
  LtDataLoader *loader;

  if (index != h->at)
    return;
  g_mutex_lock (&h->lock);
  while (!h->go)
    g_cond_wait (&h->cond, &h->lock);
  loader = g_steal_pointer (&h->loader);
  g_mutex_unlock (&h->lock);
  if (loader == NULL)
    return;
  if (h->reset)
    lt_data_loader_reset (loader);
  /* The last reference when dropping: the loader is disposed here, on its
   * own worker thread. */
  g_object_unref (loader);
  g_mutex_lock (&h->lock);
  h->done = TRUE;
  h->done_on = g_thread_self ();
  g_cond_broadcast (&h->cond);
  g_mutex_unlock (&h->lock);
}

static void
wait_for_hook (LoaderHook *h)
{
  g_mutex_lock (&h->lock);
  while (!h->done)
    g_cond_wait (&h->cond, &h->lock);
  g_mutex_unlock (&h->lock);
}

/* The dataset is freed once the workers have let it go: they finish on
 * their own after the loader was freed on one of them. */
static void
wait_until_only_ref (gpointer object)
{
  while (g_atomic_int_get ((gint *) &G_OBJECT (object)->ref_count) > 1)
    g_usleep (1000);
}

static void
probe_loader_freed_on_own_worker (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL;
  HostileDataset *ds;
  LtDataLoader   *loader;
  LoaderHook      h = { 0 };
  GThread        *main_thread = g_thread_self ();

  IN_SUBPROCESS ();
  ds = hostile_dataset_new (40, 3, 1);
  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  h.at = 7; /* in batch 3, which a worker reads ahead */
  ds->on_item = loader_hook;
  ds->hook_data = &h;
  loader = lt_data_loader_new (LT_DATASET (ds), 2, FALSE, FALSE, 2, &error);
  g_assert_no_error (error);
  h.loader = g_object_ref (loader);
  g_assert_true (lt_data_loader_next (loader, &x, &y, &error));
  g_assert_no_error (error);
  /* The dataset now holds the only reference. */
  g_object_unref (loader);
  g_mutex_lock (&h.lock);
  h.go = TRUE;
  g_cond_broadcast (&h.cond);
  g_mutex_unlock (&h.lock);
  wait_for_hook (&h);
  g_assert_true (h.done_on != main_thread);
  wait_until_only_ref (ds);
  g_assert_finalize_object (ds);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

static void
probe_loader_reset_on_own_worker (void)
{
  g_autoptr(GError) error = NULL;
  HostileDataset *ds;
  LtDataLoader   *loader;
  LoaderHook      h = { 0 };
  gint64          batches = 0;
  gboolean        ok;

  IN_SUBPROCESS ();
  ds = hostile_dataset_new (40, 3, 1);
  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  h.at = 7;
  h.reset = TRUE;
  h.go = TRUE;
  ds->on_item = loader_hook;
  ds->hook_data = &h;
  loader = lt_data_loader_new (LT_DATASET (ds), 2, FALSE, FALSE, 2, &error);
  g_assert_no_error (error);
  h.loader = g_object_ref (loader);
  /* Batches until an epoch ends: the reset abandons the epoch under way
   * (an error saying so when the caller was waiting for one of its
   * batches); the next call starts a new one. */
  do
    {
      g_autoptr(LtTensor) x = NULL, y = NULL;

      ok = lt_data_loader_next (loader, &x, &y, &error) && x != NULL;
      batches += ok;
    }
  while (ok && batches < 100);
  /* The epoch the reset ended, then a new one from its start. */
  g_assert_cmpint (batches, <=, 40);
  if (error)
    assert_lt_error (error, LT_ERROR_FAILED, "abandoned", NULL);
  g_clear_error (&error);
  wait_for_hook (&h);
  /* The loader still works: a whole epoch. */
  lt_data_loader_reset (loader);
  for (batches = 0;; batches++)
    {
      g_autoptr(LtTensor) x = NULL;

      if (!lt_data_loader_next (loader, &x, NULL, &error) || x == NULL)
        break;
    }
  g_assert_no_error (error);
  g_assert_cmpint (batches, ==, 20);
  g_assert_finalize_object (loader);
  wait_until_only_ref (ds);
  g_assert_finalize_object (ds);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

/* Training that diverges */

static void
probe_trainer_nan_loss (void)
{
  g_autoptr(HostileDataset) ds = hostile_dataset_new (8, 3, NAN);
  g_autoptr(LtTrainer) trainer = hostile_trainer_new (ds, 0.1, 2);
  g_autoptr(GError) error = NULL;
  LtModule *net = lt_trainer_get_model (trainer);
  g_autoptr(GPtrArray) params = lt_module_parameters (net);
  g_autoptr(LtTensor) before = lt_tensor_clone (g_ptr_array_index (params, 0), &error);

  g_assert_false (lt_trainer_run (trainer, NULL, &error));
  assert_lt_error (error, LT_ERROR_DIVERGED, "diverged at step 1 (epoch 1, mini-batch 1)", "NaN");
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_FAILED);
  /* Stopped before the update. */
  {
    g_autoptr(GBytes) a = lt_tensor_to_bytes (before, &error);
    g_autoptr(GBytes) b = lt_tensor_to_bytes (g_ptr_array_index (params, 0), &error);

    g_assert_true (g_bytes_equal (a, b));
  }
}

static void
probe_trainer_exploding_loss (void)
{
  g_autoptr(HostileDataset) ds = hostile_dataset_new (16, 3, 1);
  g_autoptr(LtTrainer) trainer = hostile_trainer_new (ds, 1e38, 4);
  g_autoptr(GError) error = NULL;

  g_assert_false (lt_trainer_run (trainer, NULL, &error));
  assert_lt_error (error, LT_ERROR_DIVERGED, "the loss diverged at step", NULL);
  g_assert_true (strstr (error->message, "inf") || strstr (error->message, "NaN"));
}

static void
probe_trainer_divergence_check_off (void)
{
  g_autoptr(HostileDataset) ds = hostile_dataset_new (8, 3, NAN);
  g_autoptr(LtTrainer) trainer = hostile_trainer_new (ds, 0.1, 2);
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_trainer_get_stop_on_divergence (trainer));
  g_object_set (trainer, "stop-on-divergence", FALSE, NULL);
  g_assert_false (lt_trainer_get_stop_on_divergence (trainer));
  g_assert_true (lt_trainer_run (trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_FINISHED);
}

static void
probe_loader_length_too_large (void)
{
  g_autoptr(HostileDataset) ds = NULL;
  g_autoptr(LtDataLoader) loader = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(GError) error = NULL;

  IN_SUBPROCESS ();
  ds = hostile_dataset_new ((gint64) 1 << 62, 2, 1);
  loader = lt_data_loader_new (LT_DATASET (ds), 4, TRUE, FALSE, 0, &error);
  g_assert_no_error (error);
  g_assert_false (lt_data_loader_next (loader, &x, NULL, &error));
  g_assert_null (x);
  assert_lt_error (error, LT_ERROR_OUT_OF_MEMORY, "4611686018427387904 items", NULL);
}

static void
count_step (LtTrainer *trainer, guint epoch, gint64 iteration, double loss, guint *n)
{
  (*n)++;
}

/* A checkpoint written after every epoch to where it cannot be: the run
 * fails before its first mini-batch, not after an epoch. */
static void
probe_trainer_checkpoint_unwritable (gconstpointer data)
{
  const char      *what = data;
  g_autofree char *dir = make_tmp_dir ("lt-hostile-XXXXXX");
  g_autofree char *path = NULL;
  g_autoptr(HostileDataset) ds = hostile_dataset_new (8, 3, 1);
  g_autoptr(LtTrainer) trainer = hostile_trainer_new (ds, 0.1, 1);
  g_autoptr(GError) error = NULL;
  guint steps = 0;

  if (g_str_equal (what, "folder"))
    path = g_strdup (dir);
  else if (g_str_equal (what, "empty"))
    path = g_strdup ("");
  else
    path = g_build_filename (dir, "missing", "train.safetensors", NULL);
  lt_trainer_set_checkpoint_path (trainer, path);
  lt_trainer_set_checkpoint_every_epoch (trainer, TRUE);
  g_signal_connect (trainer, "step", G_CALLBACK (count_step), &steps);
  g_assert_false (lt_trainer_run (trainer, NULL, &error));
  assert_lt_error (error, LT_ERROR_IO, "checkpoint", NULL);
  g_assert_cmpuint (steps, ==, 0);
  remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Hostile files, links, modes, size limits and writers against the "
                  "library's readers and writers: GErrors naming the file, no hang, no crash, "
                  "nothing already saved lost");

  g_test_add_func ("/hostile/checkpoint/load-fifo", probe_checkpoint_load_fifo);
  g_test_add_func ("/hostile/checkpoint/load-folder", probe_checkpoint_load_folder);
  g_test_add_func ("/hostile/checkpoint/load-dev-zero", probe_checkpoint_load_dev_zero);
  g_test_add_func ("/hostile/checkpoint/trainer-resume-fifo", probe_trainer_resume_fifo);
  g_test_add_func ("/hostile/checkpoint/save-through-symlink",
                   probe_checkpoint_save_through_symlink);
  g_test_add_func ("/hostile/checkpoint/save-dangling-symlink",
                   probe_checkpoint_save_dangling_symlink);
  g_test_add_func ("/hostile/checkpoint/save-keeps-mode", probe_checkpoint_save_keeps_mode);
  g_test_add_func ("/hostile/checkpoint/save-new-file-umask", probe_checkpoint_save_new_file_umask);
  g_test_add_func ("/hostile/checkpoint/save-to-fifo", probe_checkpoint_save_to_fifo);
  g_test_add_func ("/hostile/checkpoint/save-to-fifo-without-reader",
                   probe_checkpoint_save_to_fifo_without_reader);
  g_test_add_func ("/hostile/checkpoint/save-to-char-device", probe_checkpoint_save_to_char_device);
  g_test_add_func ("/hostile/checkpoint/save-read-only-file", probe_checkpoint_save_read_only_file);
  g_test_add_func ("/hostile/checkpoint/save-long-name", probe_checkpoint_save_long_name);
  g_test_add_func ("/hostile/checkpoint/two-writers", probe_checkpoint_two_writers);
  g_test_add_func ("/hostile/checkpoint/keeps-live-temporary",
                   probe_checkpoint_keeps_live_temporary);
  g_test_add_func ("/hostile/checkpoint/save-full-disk-default-sigxfsz",
                   probe_checkpoint_save_full_disk_default_sigxfsz);
  g_test_add_func ("/hostile/checkpoint/save-empty-name", probe_checkpoint_save_empty_name);
  g_test_add_func ("/hostile/checkpoint/save-into-file-as-folder",
                   probe_checkpoint_save_into_file_as_folder);
  g_test_add_func ("/hostile/image/save-through-symlink", probe_save_image_through_symlink);
  g_test_add_func ("/hostile/image/load-fifo", probe_load_image_fifo);
  g_test_add_func ("/hostile/image/png-bomb", probe_image_png_bomb);
  g_test_add_func ("/hostile/image/jpeg-bomb", probe_image_jpeg_bomb);
  g_test_add_func ("/hostile/image/pixel-limit-setting", probe_image_pixel_limit_setting);
  g_test_add_func ("/hostile/image/folder-png-bomb", probe_image_folder_png_bomb);
  g_test_add_func ("/hostile/image/empty-file", probe_image_empty_file);
  g_test_add_func ("/hostile/image/truncated-png", probe_image_truncated_png);
  g_test_add_func ("/hostile/idx/gzip-bomb", probe_idx_gzip_bomb);
  g_test_add_func ("/hostile/idx/gzip-declares-too-much", probe_idx_gzip_declares_too_much);
  g_test_add_func ("/hostile/idx/truncated-gzip", probe_idx_truncated_gzip);
  g_test_add_func ("/hostile/idx/fifo", probe_idx_fifo);
  g_test_add_func ("/hostile/idx/folder", probe_idx_folder);
  g_test_add_func ("/hostile/idx/dangling-symlink", probe_idx_dangling_symlink);
  g_test_add_data_func ("/hostile/cifar/empty-test-batch", "test_batch.bin",
                        probe_cifar_empty_batch);
  g_test_add_data_func ("/hostile/cifar/empty-data-batch", "data_batch_3.bin",
                        probe_cifar_empty_batch);
  g_test_add_func ("/hostile/cifar/truncated-test-batch", probe_cifar_truncated_test_batch);
  g_test_add_data_func ("/hostile/cifar/test-batch-fifo", "test_batch.bin", probe_cifar_fifo);
  g_test_add_data_func ("/hostile/cifar/meta-fifo", "batches.meta.txt", probe_cifar_fifo);
  g_test_add_func ("/hostile/cifar/archive-fifo", probe_cifar_archive_fifo);
  g_test_add_func ("/hostile/cifar/archive-empty-member", probe_cifar_archive_empty_member);
  g_test_add_func ("/hostile/loader/freed-on-own-worker", probe_loader_freed_on_own_worker);
  g_test_add_func ("/hostile/loader/reset-on-own-worker", probe_loader_reset_on_own_worker);
  g_test_add_func ("/hostile/trainer/nan-loss", probe_trainer_nan_loss);
  g_test_add_func ("/hostile/trainer/exploding-loss", probe_trainer_exploding_loss);
  g_test_add_func ("/hostile/trainer/divergence-check-off", probe_trainer_divergence_check_off);
  g_test_add_func ("/hostile/loader/length-too-large", probe_loader_length_too_large);
  g_test_add_data_func ("/hostile/trainer/checkpoint-is-folder", "folder",
                        probe_trainer_checkpoint_unwritable);
  g_test_add_data_func ("/hostile/trainer/checkpoint-empty-name", "empty",
                        probe_trainer_checkpoint_unwritable);
  g_test_add_data_func ("/hostile/trainer/checkpoint-missing-folder", "missing",
                        probe_trainer_checkpoint_unwritable);
  return g_test_run ();
}
