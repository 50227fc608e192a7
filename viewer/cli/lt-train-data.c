/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "lt-train-data.h"

/*
 * The data lt-train trains on. CIFAR-10 from the data folder (extracted
 * or as its archive), downloaded there when absent; when that cannot be
 * (no network), Fashion-MNIST from the data folder or from Debian's
 * dataset-fashion-mnist package, its 28x28 images padded to 32x32 so that
 * the tutorial's network fits it with a 1-channel first convolution.
 *
 * Both get the tutorial's transform: ToTensor, then Normalize with mean
 * and standard deviation 0.5 per channel (values in [-1, 1]).
 */

/* The tutorial's names for CIFAR-10's classes (the archive's
 * batches.meta.txt says "airplane", "automobile", ...) */
static const char *const tutorial_classes[] = {
  "plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", NULL,
};

void
lt_train_data_clear (LtTrainData *data)
{
  g_clear_object (&data->train);
  g_clear_object (&data->test);
  g_clear_pointer (&data->classes, g_strfreev);
  g_clear_pointer (&data->description, g_free);
}

/* Pad: torchvision's transforms.Pad(2) on the uint8 image (C, H, W) */

#define LT_TRAIN_TYPE_PAD (lt_train_pad_get_type ())
G_DECLARE_FINAL_TYPE (LtTrainPad, lt_train_pad, LT_TRAIN, PAD, GObject)

struct _LtTrainPad
{
  GObject parent_instance;
  gint64 padding;
};

static void lt_train_pad_transform_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtTrainPad, lt_train_pad, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM,
                                                      lt_train_pad_transform_init))

static LtTensor *
lt_train_pad_apply (LtTransform *transform,
                    LtTensor    *input,
                    GError     **error)
{
  LtTrainPad *self = LT_TRAIN_PAD (transform);

  return lt_transforms_pad (input, &self->padding, 1, 0, LT_PADDING_MODE_CONSTANT, error);
}

static void
lt_train_pad_transform_init (LtTransformInterface *iface)
{
  iface->apply = lt_train_pad_apply;
}

static void
lt_train_pad_class_init (LtTrainPadClass *klass)
{
}

static void
lt_train_pad_init (LtTrainPad *self)
{
}

static LtTransform *
lt_train_pad_new (gint64 padding)
{
  LtTrainPad *self = g_object_new (LT_TRAIN_TYPE_PAD, NULL);

  self->padding = padding;
  return LT_TRANSFORM (self);
}

/* [Pad(pad),] ToTensor, Normalize((0.5, ...), (0.5, ...)) */
static LtTransform *
tutorial_transform (guint    channels,
                    gint64   pad,
                    GError **error)
{
  static const double half[3] = { 0.5, 0.5, 0.5 };
  g_autoptr(LtTransform) padding = pad > 0 ? lt_train_pad_new (pad) : NULL;
  g_autoptr(LtTransform) to_tensor = lt_to_tensor_new ();
  g_autoptr(LtTransform) normalize = lt_normalize_new (half, channels, half, channels, error);
  LtTransform *steps[3];
  gsize n = 0;

  if (normalize == NULL)
    return NULL;
  if (padding)
    steps[n++] = padding;
  steps[n++] = to_tensor;
  steps[n++] = normalize;
  return lt_compose_new (steps, n);
}

/* Downloading CIFAR-10, in a thread while the main context runs (so that
 * Ctrl-C, through the caller's handler, cancels it) */

typedef struct
{
  char *root;
  gboolean interactive;
  GCancellable *cancellable;
  gint64 start;
  gint64 last_print;
  guint last_tenth;
  gboolean announced;
  gboolean ok;
  GError *error;
  gint done;                    /* atomic */
} Download;

static void
download_progress (guint64  received,
                   guint64  total,
                   gpointer user_data)
{
  Download *d = user_data;
  gint64 now = g_get_monotonic_time ();
  double secs = (double) (now - d->start) / G_USEC_PER_SEC;
  double rate = secs > 0 ? (double) received / secs : 0;

  /* Said once the server answers: offline, the only line is the
   * fallback's. */
  if (!d->announced)
    {
      const char *url = g_getenv ("LT_CIFAR10_URL");

      d->announced = TRUE;
      fprintf (stderr, _("CIFAR-10 is not in %s: downloading it from %s\n"), d->root,
               url && *url ? url : LT_CIFAR10_URL);
    }
  if (d->interactive)
    {
      if (now - d->last_print < G_USEC_PER_SEC / 5 && received != total)
        return;
      d->last_print = now;
      if (total > 0)
        {
          double left = rate > 0 ? (double) (total - received) / rate : 0;

          fprintf (stderr, "\r\033[K");
          fprintf (stderr, _("Downloading CIFAR-10: %.1f of %.1f MB (%d %%), %.1f MB/s, "
                             "ETA %d:%02d"), received / 1e6, total / 1e6,
                   (int) (100.0 * received / total), rate / 1e6, (int) left / 60, (int) left % 60);
        }
      else
        {
          fprintf (stderr, "\r\033[K");
          fprintf (stderr, _("Downloading CIFAR-10: %.1f MB, %.1f MB/s"), received / 1e6,
                   rate / 1e6);
        }
      fflush (stderr);
    }
  else if (total > 0)
    {
      guint tenth = (guint) (10 * received / total);

      if (tenth > d->last_tenth)
        {
          d->last_tenth = tenth;
          fprintf (stderr, _("Downloading CIFAR-10: %u %% of %.1f MB, %.1f MB/s\n"), tenth * 10,
                   total / 1e6, rate / 1e6);
        }
    }
}

static gpointer
download_thread (gpointer data)
{
  Download *d = data;

  d->ok = lt_cifar10_download (d->root, download_progress, d, d->cancellable, &d->error);
  g_atomic_int_set (&d->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
download_cifar10 (const char    *root,
                  gboolean       interactive,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Download d = { 0 };
  GThread *thread;

  d.root = (char *) root;
  d.interactive = interactive;
  d.cancellable = cancellable;
  d.start = g_get_monotonic_time ();
  thread = g_thread_new ("lt-train-download", download_thread, &d);
  while (!g_atomic_int_get (&d.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  if (interactive && d.announced)
    fprintf (stderr, "\r\033[K");
  if (!d.ok)
    {
      g_propagate_error (error, d.error);
      return FALSE;
    }
  return TRUE;
}

/* Whether @root holds CIFAR-10, extracted or as its archive (whole or
 * not: lt_cifar10_new says what is wrong with a broken one). */
gboolean
lt_train_data_cifar10_present (const char *root)
{
  g_autofree char *folder = g_build_filename (root, LT_CIFAR10_FOLDER, NULL);
  g_autofree char *archive = g_build_filename (root, LT_CIFAR10_ARCHIVE, NULL);

  return g_file_test (folder, G_FILE_TEST_IS_DIR) || g_file_test (archive, G_FILE_TEST_EXISTS);
}

static gboolean
load_cifar10 (const char    *root,
              GCancellable  *cancellable,
              LtTrainData   *data,
              GError       **error)
{
  g_autoptr(LtTransform) transform = tutorial_transform (3, 0, error);
  g_autoptr(LtCifar10) train = NULL;
  g_autoptr(LtCifar10) test = NULL;

  if (transform == NULL ||
      !(train = lt_cifar10_new (root, TRUE, transform, NULL, FALSE, cancellable, error)) ||
      !(test = lt_cifar10_new (root, FALSE, transform, NULL, FALSE, cancellable, error)))
    return FALSE;
  data->train = LT_DATASET (g_steal_pointer (&train));
  data->test = LT_DATASET (g_steal_pointer (&test));
  data->classes = g_strdupv ((char **) tutorial_classes);
  data->description = g_strdup_printf (_("CIFAR-10 from %s"), root);
  data->in_channels = 3;
  data->kind = LT_TRAIN_DATASET_CIFAR10;
  return TRUE;
}

/* The folders to look for Fashion-MNIST in, in order. */
static GStrv
fashion_roots (const char *data_dir)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  const char *env = g_getenv ("LT_FASHION_MNIST_ROOT");

  if (env && *env)
    g_strv_builder_add (b, env);
  else
    {
      g_strv_builder_add (b, data_dir);
      g_strv_builder_add (b, LT_FASHION_MNIST_DEFAULT_ROOT);
    }
  return g_strv_builder_end (b);
}

static gboolean
load_fashion_mnist (const char   *data_dir,
                    LtTrainData  *data,
                    GError      **error)
{
  g_autoptr(LtTransform) transform = tutorial_transform (1, 2, error);
  g_auto(GStrv) roots = fashion_roots (data_dir);
  g_autoptr(GString) tried = g_string_new (NULL);
  g_autoptr(GError) last = NULL;

  if (transform == NULL)
    return FALSE;
  for (guint i = 0; roots[i]; i++)
    {
      g_autoptr(LtMnist) train = NULL;
      g_autoptr(LtMnist) test = NULL;
      GError *local = NULL;

      if (!(train = lt_mnist_new (roots[i], TRUE, LT_MNIST_VARIANT_FASHION_MNIST, transform, NULL,
                                  &local)) ||
          !(test = lt_mnist_new (roots[i], FALSE, LT_MNIST_VARIANT_FASHION_MNIST, transform, NULL,
                                 &local)))
        {
          g_string_append_printf (tried, "%s%s", tried->len ? ", " : "", roots[i]);
          /* A file that is there but broken is worth saying; a missing one
           * only when nothing else is found. */
          if (!g_error_matches (local, LT_ERROR, LT_ERROR_IO) || last == NULL)
            {
              g_clear_error (&last);
              last = local;
            }
          else
            g_error_free (local);
          continue;
        }
      data->train = LT_DATASET (g_steal_pointer (&train));
      data->test = LT_DATASET (g_steal_pointer (&test));
      data->classes = g_strdupv ((char **) lt_mnist_variant_get_classes (
                                   LT_MNIST_VARIANT_FASHION_MNIST));
      data->description = g_strdup_printf (_("Fashion-MNIST from %s"), roots[i]);
      data->in_channels = 1;
      data->kind = LT_TRAIN_DATASET_FASHION_MNIST;
      return TRUE;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_IO, _("Fashion-MNIST is not in %s (%s)"), tried->str,
               last ? last->message : _("not found"));
  return FALSE;
}

static void
how_to_get_data (GError    **error,
                 const char *data_dir,
                 const char *cifar_reason,
                 const char *fashion_reason)
{
  g_set_error (error, LT_ERROR, LT_ERROR_IO,
               _("no data to train on.\n"
                 "  CIFAR-10: %s\n"
                 "  Fashion-MNIST: %s\n"
                 "To get data, either download %s (MD5 %s) into %s (extracted or not), "
                 "or install Debian's Fashion-MNIST package (as root: apt-get install "
                 "dataset-fashion-mnist), or put Fashion-MNIST's four IDX files "
                 "(train-images-idx3-ubyte.gz, ...) in %s."),
               cifar_reason, fashion_reason, LT_CIFAR10_URL, LT_CIFAR10_MD5, data_dir, data_dir);
}

gboolean
lt_train_data_load (LtTrainDatasetKind   kind,
                    const char          *data_dir,
                    gboolean             interactive,
                    GCancellable        *cancellable,
                    LtTrainData         *data,
                    GError             **error)
{
  g_autoptr(GError) cifar_error = NULL;
  g_autoptr(GError) fashion_error = NULL;

  memset (data, 0, sizeof *data);
  if (kind == LT_TRAIN_DATASET_FASHION_MNIST)
    {
      if (load_fashion_mnist (data_dir, data, &fashion_error))
        return TRUE;
      how_to_get_data (error, data_dir, _("not asked for (--dataset fashion-mnist)"),
                       fashion_error->message);
      return FALSE;
    }

  if (lt_train_data_cifar10_present (data_dir))
    return load_cifar10 (data_dir, cancellable, data, error);
  if (download_cifar10 (data_dir, interactive, cancellable, &cifar_error))
    return load_cifar10 (data_dir, cancellable, data, error);
  if (g_error_matches (cifar_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   _("the download of CIFAR-10 was interrupted; run again to resume it"));
      return FALSE;
    }
  if (kind == LT_TRAIN_DATASET_CIFAR10)
    {
      how_to_get_data (error, data_dir, cifar_error->message,
                       _("not asked for (--dataset cifar10)"));
      return FALSE;
    }

  /* The fallback, said in one line (without the library's hint on
   * installing CIFAR-10 by hand: the message for no data at all gives it) */
  {
    g_autofree char *reason = g_strdup (cifar_error->message);
    char *hint = strstr (reason, ". To install CIFAR-10 by hand");

    if (hint)
      *hint = '\0';
    fprintf (stderr, _("lt-train: CIFAR-10 is not in %s and cannot be downloaded (%s); "
                       "falling back to Fashion-MNIST\n"), data_dir, reason);
  }
  if (load_fashion_mnist (data_dir, data, &fashion_error))
    return TRUE;
  how_to_get_data (error, data_dir, cifar_error->message, fashion_error->message);
  return FALSE;
}
