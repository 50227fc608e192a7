/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the hostile-input probes (test-hostile-io.c) share: a subprocess
 * watchdog, error checks, FIFOs and a reader for them, unprivileged
 * children, address-space limits, bombs (PNG, JPEG, gzip), and a small
 * dataset and trainer.
 */
#include "hostile-helpers.h"

void
assert_lt_error (const GError *error, LtError code, const char *a, const char *b)
{
  g_assert_nonnull (error);
  if (!g_error_matches (error, LT_ERROR, code))
    g_error ("expected LtError %d, got %s %d: %s", code, g_quark_to_string (error->domain),
             error->code, error->message);
  if (a && strstr (error->message, a) == NULL)
    g_error ("\"%s\" is not in the message: %s", a, error->message);
  if (b && strstr (error->message, b) == NULL)
    g_error ("\"%s\" is not in the message: %s", b, error->message);
}

LtStateDict *
small_dict (double value)
{
  g_autoptr(GError) error = NULL;
  LtStateDict *sd = lt_state_dict_new ();
  g_autoptr(LtTensor) w = lt_full (DIMS (4, 3), value, LT_DTYPE_FLOAT32, &error);
  g_autofree char *v = g_strdup_printf ("%g", value);

  g_assert_no_error (error);
  lt_state_dict_insert (sd, "weight", w);
  lt_state_dict_set_metadata (sd, "version", v);
  return sd;
}

void
save_ok (LtStateDict *sd, const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_state_dict_save (sd, path, &error));
  g_assert_no_error (error);
}

char *
version_at (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtStateDict) sd = lt_state_dict_load (path, &error);

  g_assert_no_error (error);
  return g_strdup (lt_state_dict_get_metadata (sd, "version"));
}

char *
make_fifo (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  return path;
}

mode_t
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode;
}

static gpointer
fifo_reader_main (gpointer data)
{
  FifoReader   *r = data;
  struct pollfd p = { r->fd, POLLIN, 0 };
  guint8        buf[4096];
  ssize_t       n;

  while (poll (&p, 1, -1) < 0 && errno == EINTR)
    ;
  fcntl (r->fd, F_SETFL, fcntl (r->fd, F_GETFL) & ~O_NONBLOCK);
  while ((n = read (r->fd, buf, sizeof buf)) > 0)
    g_byte_array_append (r->got, buf, (guint) n);
  close (r->fd);
  return NULL;
}

FifoReader *
fifo_reader_start (const char *path)
{
  FifoReader *r = g_new0 (FifoReader, 1);

  r->fd = open (path, O_RDONLY | O_NONBLOCK);
  g_assert_cmpint (r->fd, >=, 0);
  r->got = g_byte_array_new ();
  r->thread = g_thread_new ("fifo-reader", fifo_reader_main, r);
  return r;
}

GBytes *
fifo_reader_finish (FifoReader *r)
{
  GBytes *b;

  g_thread_join (r->thread);
  b = g_byte_array_free_to_bytes (r->got);
  g_free (r);
  return b;
}

/* Runs @func in a child process as the user nobody when we are root (who
 * may write anywhere), and returns its exit status. */
int
as_unprivileged (void (*func) (gpointer), gpointer data)
{
  pid_t pid = fork ();
  int   status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        _exit (90);
      func (data);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* Limits the address space of the calling process (a test's subprocess)
 * to what it uses now plus @extra_mb: an allocation of the size a bomb
 * declares then fails instead of succeeding. The soft limit only:
 * unlimit_address_space () lifts it again before the process exits (the
 * BLAS library's threads allocate at exit). */
void
limit_address_space (guint64 extra_mb)
{
  g_autofree char *status_text = NULL;
  const char      *vm;
  struct rlimit    rl;
  guint64          vm_kb;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status_text, NULL, NULL));
  vm = strstr (status_text, "VmSize:");
  g_assert_nonnull (vm);
  vm_kb = g_ascii_strtoull (vm + 7, NULL, 10);
  g_assert_cmpint (getrlimit (RLIMIT_AS, &rl), ==, 0);
  rl.rlim_cur = (rlim_t) (vm_kb * 1024 + extra_mb * 1024 * 1024);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &rl), ==, 0);
}

void
unlimit_address_space (void)
{
  struct rlimit rl;

  g_assert_cmpint (getrlimit (RLIMIT_AS, &rl), ==, 0);
  rl.rlim_cur = rl.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &rl), ==, 0);
}

/* zlib or gzip data of @prefix, then @reps copies of @row (never all in
 * memory at once) */
GBytes *
zlib_repeat_after (GZlibCompressorFormat format,
                   const guint8         *prefix,
                   gsize                 prefix_len,
                   const guint8         *row,
                   gsize                 row_len,
                   guint64               reps)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (format, 9);
  GByteArray *out = g_byte_array_new ();
  guint8      buf[65536];
  guint64     done = 0;
  gsize       pos = 0;

  while (pos < prefix_len)
    {
      gsize   nread = 0, nwritten = 0;
      GError *error = NULL;

      g_converter_convert (G_CONVERTER (z), prefix + pos, prefix_len - pos, buf, sizeof buf,
                           G_CONVERTER_NO_FLAGS, &nread, &nwritten, &error);
      g_assert_no_error (error);
      g_byte_array_append (out, buf, (guint) nwritten);
      pos += nread;
    }
  pos = 0;
  for (;;)
    {
      gboolean         last = done + 1 >= reps;
      gsize            nread = 0, nwritten = 0;
      GError          *error = NULL;
      GConverterResult r = g_converter_convert (
        G_CONVERTER (z), row + pos, row_len - pos, buf, sizeof buf,
        last ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS, &nread, &nwritten, &error);

      g_assert_no_error (error);
      g_byte_array_append (out, buf, (guint) nwritten);
      if (r == G_CONVERTER_FINISHED)
        break;
      pos += nread;
      if (pos == row_len && !last)
        {
          pos = 0;
          done++;
        }
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
zlib_repeat (GZlibCompressorFormat format, const guint8 *row, gsize row_len, guint64 reps)
{
  return zlib_repeat_after (format, NULL, 0, row, row_len, reps);
}

static guint32
crc32_of (const guint8 *p, gsize n, guint32 crc)
{
  crc = ~crc;
  for (gsize i = 0; i < n; i++)
    {
      crc ^= p[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
  return ~crc;
}

static void
png_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  guint32 be = GUINT32_TO_BE ((guint32) len), crc;

  g_byte_array_append (out, (const guint8 *) &be, 4);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len)
    g_byte_array_append (out, data, (guint) len);
  crc = crc32_of ((const guint8 *) type, 4, 0);
  crc = crc32_of (data, len, crc);
  be = GUINT32_TO_BE (crc);
  g_byte_array_append (out, (const guint8 *) &be, 4);
}

/* A valid grey PNG of @w x @h black pixels: small on disk (deflate), huge
 * decoded. */
GBytes *
png_bomb (guint32 w, guint32 h)
{
  static const guint8 sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray         *out = g_byte_array_new ();
  guint8              ihdr[13];
  guint32             bw = GUINT32_TO_BE (w), bh = GUINT32_TO_BE (h);
  g_autofree guint8  *row = g_malloc0 (w + 1); /* filter 0, then the pixels */
  g_autoptr(GBytes) idat = zlib_repeat (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, row, w + 1, h);

  memcpy (ihdr, &bw, 4);
  memcpy (ihdr + 4, &bh, 4);
  ihdr[8] = 8; /* bits */
  ihdr[9] = 0; /* grey */
  ihdr[10] = ihdr[11] = ihdr[12] = 0;
  g_byte_array_append (out, sig, 8);
  png_chunk (out, "IHDR", ihdr, 13);
  png_chunk (out, "IDAT", g_bytes_get_data (idat, NULL), g_bytes_get_size (idat));
  png_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

/* A small JPEG whose frame header (SOF0) is made to declare @w x @h. */
GBytes *
jpeg_declaring (const char *dir, guint16 w, guint16 h)
{
  g_autofree char *path = g_build_filename (dir, "small.jpg", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) img = lt_full (DIMS (3, 16, 16), 0.5, LT_DTYPE_FLOAT32, &error);
  g_autoptr(GBytes) small = NULL;
  guint8 *data;
  gsize   n;

  g_assert_true (lt_save_image (img, path, 8, 0, FALSE, NULL, FALSE, 0, &error));
  small = read_file (path);
  g_unlink (path);
  n = g_bytes_get_size (small);
  data = g_memdup2 (g_bytes_get_data (small, NULL), n);
  for (gsize i = 2; i + 9 < n; i++)
    if (data[i] == 0xFF && data[i + 1] == 0xC0)
      {
        data[i + 5] = h >> 8;
        data[i + 6] = h & 0xFF;
        data[i + 7] = w >> 8;
        data[i + 8] = w & 0xFF;
        return g_bytes_new_take (data, n);
      }
  g_error ("no SOF0 marker in the JPEG that save_image wrote");
}

static void hostile_dataset_iface_init (LtDatasetInterface *iface);

G_DEFINE_TYPE_WITH_CODE (HostileDataset,
                         hostile_dataset,
                         G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, hostile_dataset_iface_init))

static gint64
hostile_dataset_get_length (LtDataset *dataset)
{
  return ((HostileDataset *) dataset)->n;
}

static gboolean
hostile_dataset_get_item (LtDataset *dataset,
                          gint64     index,
                          LtTensor **input,
                          LtTensor **target,
                          GError   **error)
{
  HostileDataset *self = (HostileDataset *) dataset;

  if (self->on_item)
    self->on_item (self, index);
  *input = lt_full (&self->dim, 1, self->value * (double) (index + 1), LT_DTYPE_FLOAT32, error);
  if (*input == NULL)
    return FALSE;
  *target = lt_scalar_int (index % 2);
  return TRUE;
}

static void
hostile_dataset_iface_init (LtDatasetInterface *iface)
{
  iface->get_length = hostile_dataset_get_length;
  iface->get_item = hostile_dataset_get_item;
}

static void
hostile_dataset_class_init (HostileDatasetClass *klass)
{
}

static void
hostile_dataset_init (HostileDataset *self)
{
}

HostileDataset *
hostile_dataset_new (gint64 n, gint64 dim, double value)
{
  HostileDataset *self = g_object_new (hostile_dataset_get_type (), NULL);

  self->n = n;
  self->dim = dim;
  self->value = value;
  return self;
}

/* A trainer of a linear classifier over @ds. */
LtTrainer *
hostile_trainer_new (HostileDataset *ds, double lr, guint epochs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) net = lt_linear_new (ds->dim, 2, TRUE, &error);
  g_autoptr(GPtrArray) params = lt_module_parameters (LT_MODULE (net));
  g_autoptr(LtSGD) opt = lt_sgd_new (params, lr, 0, 0, 0, FALSE, &error);
  g_autoptr(LtCrossEntropyLoss) loss = NULL;
  g_autoptr(LtDataLoader) loader = NULL;

  loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, &error);
  g_assert_no_error (error);
  loader = lt_data_loader_new (LT_DATASET (ds), 2, FALSE, FALSE, 0, &error);
  g_assert_no_error (error);
  return lt_trainer_new (LT_MODULE (net), LT_LOSS (loss), LT_OPTIMIZER (opt), loader, NULL, epochs);
}
