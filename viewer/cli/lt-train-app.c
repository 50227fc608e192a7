/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cairo.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <libtensor.h>

#include "lt-train-app.h"
#include "lt-train-data.h"
#include "lt-train-net.h"
#include "lt-train-optim.h"
#include "lt-train-plots.h"
#include "lt-train-report.h"

/*
 * lt-train: the tutorial's "训练一个分类器" as a command. It trains the
 * tutorial's network with the tutorial's recipe on CIFAR-10 (or
 * Fashion-MNIST when CIFAR-10 cannot be had) through LtTrainer and prints
 * the tutorial's lines: the running loss every 2000 mini-batches,
 * "Finished Training", the first test batch's ground truth and
 * predictions, the accuracy on the test set and per class.
 */

#define DEFAULT_CHECKPOINT "lt-train-checkpoint.safetensors"

/* In the order of LtTrainOptimizerKind */
typedef enum
{
  OPT_SGD = LT_TRAIN_OPTIMIZER_SGD,
  OPT_ADAM = LT_TRAIN_OPTIMIZER_ADAM,
  OPT_ADAMW = LT_TRAIN_OPTIMIZER_ADAMW,
  OPT_RMSPROP = LT_TRAIN_OPTIMIZER_RMSPROP,
} OptimizerKind;

typedef enum {
  DEVICE_AUTO,
  DEVICE_CPU,
  DEVICE_CUDA,
} DeviceChoice;

typedef struct
{
  gint64 epochs;
  gint64 batch_size;
  double lr;
  double momentum;
  gboolean momentum_set;
  OptimizerKind optimizer;
  guint workers;
  DeviceChoice device;
  int                device_index; /* N of --device cuda:N */
  LtTrainDatasetKind dataset;
  char *data;
  gboolean           data_given;
  char *checkpoint;
  gboolean resume;
  guint64 seed;
  gint64 log_interval;
  char *grid;
  char *loss_csv;
  char *loss_plot;
  char *graph;
  char              *plots;
  double             timeout;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->data);
  g_free (o->checkpoint);
  g_free (o->grid);
  g_free (o->loss_csv);
  g_free (o->loss_plot);
  g_free (o->graph);
  g_free (o->plots);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* Command line */

static gboolean
parse_int (const char  *name,
           const char  *text,
           gint64       min,
           gint64       max,
           gint64      *out,
           GError     **error)
{
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, min, max, out, NULL))
    {
      if (max == G_MAXINT64 || max >= G_MAXINT32)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s: expected a whole number of at least %" PRId64 ", not \"%s\""),
                     name, min, text);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s: expected a whole number from %" PRId64 " to %"
                       PRId64 ", not \"%s\""), name, min, max, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_double (const char  *name,
              const char  *text,
              gboolean     zero_ok,
              double      *out,
              GError     **error)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return TRUE;
  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || errno != 0 || !isfinite (v) || v < 0 || (!zero_ok && v == 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   zero_ok ? _("%s: expected a number of at least 0, not \"%s\"")
                           : _("%s: expected a number above 0, not \"%s\""), name, text);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_choice (const char         *name,
              const char         *text,
              const char * const *choices,
              int                *out,
              GError            **error)
{
  g_autofree char *list = NULL;

  if (text == NULL)
    return TRUE;
  for (int i = 0; choices[i]; i++)
    if (g_strcmp0 (text, choices[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  list = g_strjoinv (", ", (char **) choices);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s: expected one of %s, not \"%s\""), name, list, text);
  return FALSE;
}

static const char summary[] = N_(
  "Trains the convolutional network of the tutorial \"Deep Learning with PyTorch: A\n"
  "60 Minute Blitz\" (its classifier section) with the tutorial's recipe (SGD, lr\n"
  "0.001, momentum 0.9, batch 4, CrossEntropyLoss, Normalize((0.5, 0.5, 0.5), (0.5,\n"
  "0.5, 0.5))), and prints what the tutorial prints: the running loss every 2000\n"
  "mini-batches, \"Finished Training\", the first test batch's ground truth and\n"
  "predictions, and the accuracy on the test set, overall and per class.");

/* The text after the options in --help */
static char *
description_text (void)
{
  /* Translators: %1$s is the default checkpoint file's name, %2$s the
   * CIFAR-10 archive's name, %3$s the paragraph on distributed training */
  return g_strdup_printf (
    _ ("Data:\n"
       "  CIFAR-10 is read from the data folder (cifar-10-batches-bin/ or the archive\n"
       "  cifar-10-binary.tar.gz) and downloaded there when absent. When it cannot be\n"
       "  downloaded, lt-train says so and trains on Fashion-MNIST instead (from the data\n"
       "  folder, or from Debian's dataset-fashion-mnist package in\n"
       "  /usr/share/datasets/fashion-mnist), with a 1-channel first convolution and the\n"
       "  28x28 images padded to 32x32. Without either it says how to get them and exits 1.\n"
       "\n"
       "Checkpoints:\n"
       "  With --checkpoint FILE, the model, the optimizer and the position in training are\n"
       "  saved to FILE (safetensors) after every epoch; --resume continues from FILE when\n"
       "  it exists, exactly where it stopped. Ctrl-C stops after the current mini-batch,\n"
       "  writes the checkpoint (to FILE, or to %1$s in the data\n"
       "  folder) and exits 0; a second Ctrl-C quits at once. FILE and the output files\n"
       "  are checked to be writable before training starts.\n"
       "\n"
       "Output:\n"
       "  The tutorial's lines go to stdout. A progress bar (rate, time left) goes to stderr\n"
       "  when stdout is a terminal; a line per epoch otherwise.\n"
       "\n"
       "Pictures (drawn by the viewer's renderers, no display needed):\n"
       "  --plots FOLDER writes, once training ends, grid.png (training images with their\n"
       "  classes and the predictions, wrong ones marked), loss.png and loss.svg (the training\n"
       "  loss and the test loss and accuracy per epoch), graph.png and graph.svg (the\n"
       "  autograd graph of one training step, grouped by module, with every node's gradient\n"
       "  norm) and confusion.png (the last epoch's accuracy per class and confusion matrix).\n"
       "  --loss-plot and --graph write one of them, as PNG or SVG by the extension (--graph\n"
       "  writes DOT for any other name).\n"
       "\n"
       "%3$s\n"
       "\n"
       "Environment:\n"
       "  LT_CIFAR10_URL         a mirror of %2$s\n"
       "  LT_FASHION_MNIST_ROOT  the only folder to look for Fashion-MNIST in\n"
       "\n"
       "Exit status: 0 when trained (or stopped by Ctrl-C), 1 on failure (no data, an\n"
       "error while training, a loss that diverged), 2 for a bad option."),
    DEFAULT_CHECKPOINT, LT_CIFAR10_ARCHIVE,
    _ ("Distributed training (mpirun -np N lt-train ...):\n"
       "  Started by mpirun, the N processes train one model together, data-parallel:\n"
       "  each reads its own shard of every epoch, in mini-batches of --batch-size images\n"
       "  (the per-process batch), so a step's global batch is N times --batch-size and an\n"
       "  epoch has 1/N of the mini-batches; the gradients are averaged over the processes\n"
       "  after every backward pass. Rank 0 alone prints, writes the checkpoint and the\n"
       "  output files; with --resume every rank continues from the checkpoint. A process\n"
       "  that dies or hangs ends the others with an error naming it, within --timeout\n"
       "  seconds (give mpirun --enable-recovery so that they can say so)."));
}

static gboolean
parse_options (int       *argc,
               char    ***argv,
               Options   *o,
               GError   **error)
{
  static const char *const optimizers[] = { "sgd", "adam", "adamw", "rmsprop", NULL };
  static const char *const devices[] = { "auto", "cpu", "cuda", NULL };
  g_autoptr(GError) parse_error = NULL;
  static const char *const datasets[] = { "cifar10", "fashion-mnist", NULL };
  g_autofree char *epochs = NULL, *batch_size = NULL, *lr = NULL, *momentum = NULL;
  g_autofree char *optimizer = NULL, *workers = NULL, *device = NULL, *dataset = NULL;
  g_autofree char         *seed = NULL, *log_interval = NULL, *timeout = NULL;
  gint64 workers_v = 2, seed_v = 0;
  int choice;
  GOptionEntry             entries[] = {
                { "epochs", 'e', 0, G_OPTION_ARG_STRING, &epochs, N_ ("Epochs to train (default 2)"),
                  N_ ("N") },
                { "batch-size", 'b', 0, G_OPTION_ARG_STRING, &batch_size,
                  N_ ("Images per mini-batch, per process under mpirun (default 4)"), N_ ("N") },
                { "lr", 0, 0, G_OPTION_ARG_STRING, &lr, N_ ("Learning rate (default 0.001)"), N_ ("RATE") },
                { "momentum", 0, 0, G_OPTION_ARG_STRING, &momentum,
                  N_ ("Momentum of sgd and rmsprop (default 0.9 for sgd, 0 for rmsprop)"), N_ ("M") },
                { "optimizer", 'o', 0, G_OPTION_ARG_STRING, &optimizer,
                  N_ ("sgd (default), adam, adamw or rmsprop"), N_ ("NAME") },
                { "workers", 'w', 0, G_OPTION_ARG_STRING, &workers,
                  N_ ("Threads reading the data (default 2, as the tutorial's num_workers)"), N_ ("N") },
                { "device", 0, 0, G_OPTION_ARG_STRING, &device,
                  N_ ("cpu, cuda, cuda:N, or auto (default: cuda when there is a GPU)"), N_ ("DEVICE") },
                { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset,
                  N_ ("cifar10 or fashion-mnist (default: cifar10, else fashion-mnist)"), N_ ("NAME") },
                { "data", 0, 0, G_OPTION_ARG_FILENAME, &o->data, N_ ("The data folder (default ./data)"),
                  N_ ("FOLDER") },
                { "checkpoint", 'c', 0, G_OPTION_ARG_FILENAME, &o->checkpoint,
                  N_ ("Save the checkpoint to FILE after every epoch and on Ctrl-C"), N_ ("FILE") },
                { "resume", 'r', 0, G_OPTION_ARG_NONE, &o->resume,
                  N_ ("Continue from the checkpoint when it exists"), NULL },
                { "seed", 's', 0, G_OPTION_ARG_STRING, &seed,
                  N_ ("Seed of the random numbers: initial weights, shuffling (default 0)"), N_ ("N") },
                { "log-interval", 0, 0, G_OPTION_ARG_STRING, &log_interval,
                  N_ ("Print the running loss every N mini-batches (default 2000)"), N_ ("N") },
                { "grid", 0, 0, G_OPTION_ARG_FILENAME, &o->grid,
                  N_ ("Save the first test batch as a grid of images (PNG)"), N_ ("PNG") },
                { "loss-csv", 0, 0, G_OPTION_ARG_FILENAME, &o->loss_csv,
                  N_ ("Save the loss curve as CSV (epoch, iteration, running loss)"), N_ ("FILE") },
                { "loss-plot", 0, 0, G_OPTION_ARG_FILENAME, &o->loss_plot,
                  N_ ("Draw the loss curves (PNG, or SVG for a name ending in .svg)"), N_ ("FILE") },
                { "graph", 0, 0, G_OPTION_ARG_FILENAME, &o->graph,
                  N_ ("Save the autograd graph of one training step (Graphviz DOT; PNG or SVG for a name "
                                  "ending in .png or .svg)"),
                  N_ ("FILE") },
                { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout,
                  N_ ("Under mpirun: seconds a step may wait for the other processes (default 1800)"),
                  N_ ("SECONDS") },
                { "plots", 0, 0, G_OPTION_ARG_FILENAME, &o->plots,
                  N_ ("Draw the images, loss curves, graph and confusion matrix into FOLDER (see below)"),
                  N_ ("FOLDER") },
                { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _(summary));
  g_autofree char *description = description_text ();

  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("unexpected argument \"%s\""),
                   (*argv)[1]);
      return FALSE;
    }

  o->epochs = 2;
  o->batch_size = 4;
  o->lr = 0.001;
  o->momentum = 0.9;
  o->log_interval = LT_TRAINER_DEFAULT_LOG_INTERVAL;
  o->timeout = LT_DISTRIBUTED_DEFAULT_TIMEOUT;
  if (!parse_int ("--epochs", epochs, 1, G_MAXUINT32, &o->epochs, error) ||
      !parse_int ("--batch-size", batch_size, 1, G_MAXINT32, &o->batch_size, error) ||
      !parse_double ("--lr", lr, FALSE, &o->lr, error) ||
      !parse_double ("--momentum", momentum, TRUE, &o->momentum, error) ||
      !parse_int ("--workers", workers, 0, 64, &workers_v, error) ||
      !parse_int ("--seed", seed, 0, G_MAXINT64, &seed_v, error) ||
      !parse_int ("--log-interval", log_interval, 1, G_MAXINT64, &o->log_interval, error) ||
      !parse_double ("--timeout", timeout, FALSE, &o->timeout, error))
    return FALSE;
  o->momentum_set = momentum != NULL;
  o->workers = (guint) workers_v;
  o->seed = (guint64) seed_v;
  choice = OPT_SGD;
  if (!parse_choice ("--optimizer", optimizer, optimizers, &choice, error))
    return FALSE;
  o->optimizer = choice;
  choice = DEVICE_AUTO;
  o->device_index = 0;
  if (device && g_str_has_prefix (device, "cuda:"))
    {
      /* cuda:N */
      LtDevice type;

      if (!lt_device_parse (device, &type, &o->device_index, &parse_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--device: %s",
                       parse_error->message);
          return FALSE;
        }
      choice = DEVICE_CUDA;
    }
  else if (!parse_choice ("--device", device, devices, &choice, error))
    return FALSE;
  o->device = choice;
  choice = -1;
  if (!parse_choice ("--dataset", dataset, datasets, &choice, error))
    return FALSE;
  o->dataset = choice == 0 ? LT_TRAIN_DATASET_CIFAR10
             : choice == 1 ? LT_TRAIN_DATASET_FASHION_MNIST : LT_TRAIN_DATASET_AUTO;
  if (o->momentum_set && (o->optimizer == OPT_ADAM || o->optimizer == OPT_ADAMW))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--momentum: applies to sgd and rmsprop, not to %s"), optimizer);
      return FALSE;
    }
  o->data_given = o->data != NULL;
  if (o->data == NULL)
    o->data = g_strdup ("./data");
  return TRUE;
}

/* The run */

typedef struct
{
  GMutex         lock;
  LtTrainer     *trainer; /* borrowed, while training (under lock) */
  GCancellable *cancellable;
  LtTrainReport *report;
  LtTensor *confusion;          /* the last epoch's, owned */
  gboolean       interactive;
} App;

/* Ctrl-C. A handler of our own (not a main-context source: those are
 * dispatched only while a main loop runs, and much of lt-train runs
 * outside one: loading data, writing files, the test set) counts the
 * interrupts and wakes a thread that stops the run: the cancellable
 * (loading, downloading) and the trainer (after the current mini-batch,
 * with a checkpoint). A second Ctrl-C ends the process at once, whatever
 * it is doing, as if lt-train had no handler. */

static volatile sig_atomic_t sigint_count;
static int                   sigint_pipe[2] = { -1, -1 };
static char                  sigint_again_text[256];

static void
sigint_handler (int sig)
{
  int  saved = errno;
  char c = 1;

  if (++sigint_count >= 2)
    {
      if (write (STDERR_FILENO, sigint_again_text, strlen (sigint_again_text)) < 0)
        {
          /* nothing to do: the process ends */
        }
      signal (SIGINT, SIG_DFL);
      raise (SIGINT);
      return;
    }
  if (write (sigint_pipe[1], &c, 1) < 0)
    {
      /* the pipe holds a byte already */
    }
  errno = saved;
}

static gpointer
sigint_thread (gpointer data)
{
  App *app = data;
  char c;

  while (read (sigint_pipe[0], &c, 1) != 0)
    {
      LtTrainer *trainer;

      if (c == 0)
        break; /* lt-train is ending */
      g_cancellable_cancel (app->cancellable);
      g_mutex_lock (&app->lock);
      trainer = app->trainer ? g_object_ref (app->trainer) : NULL;
      g_mutex_unlock (&app->lock);
      fprintf (stderr, "%slt-train: %s\n", app->interactive ? "\r\033[K" : "",
               trainer ? _ ("stopping after this mini-batch (Ctrl-C again to quit at once)")
                       : _ ("interrupted (Ctrl-C again to quit at once)"));
      fflush (stderr);
      if (trainer)
        {
          lt_trainer_stop (trainer);
          g_object_unref (trainer);
        }
    }
  return NULL;
}

static GThread *
sigint_watch (App *app)
{
  struct sigaction sa = { 0 };

  g_snprintf (sigint_again_text, sizeof sigint_again_text, "\nlt-train: %s\n",
              _ ("interrupted again: quitting now"));
  if (pipe (sigint_pipe) != 0)
    return NULL;
  fcntl (sigint_pipe[0], F_SETFD, FD_CLOEXEC);
  fcntl (sigint_pipe[1], F_SETFD, FD_CLOEXEC);
  fcntl (sigint_pipe[1], F_SETFL, O_NONBLOCK);
  sa.sa_handler = sigint_handler;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction (SIGINT, &sa, NULL);
  return g_thread_new ("lt-train-sigint", sigint_thread, app);
}

static void
sigint_unwatch (GThread *thread)
{
  char c = 0;

  signal (SIGINT, SIG_DFL);
  if (thread == NULL)
    return;
  /* The handler may still have a byte in flight: ours comes after it. */
  while (write (sigint_pipe[1], &c, 1) < 0 && errno == EAGAIN)
    g_usleep (1000);
  g_thread_join (thread);
  close (sigint_pipe[0]);
  close (sigint_pipe[1]);
}

static gboolean
interrupted (App *app)
{
  return g_cancellable_is_cancelled (app->cancellable);
}

static void
on_step (LtTrainer *trainer,
         guint      epoch,
         gint64     iteration,
         double     loss,
         App       *app)
{
  lt_train_report_step (app->report, epoch, iteration, loss);
}

static void
on_log (LtTrainer *trainer,
        guint      epoch,
        gint64     iteration,
        double     running_loss,
        App       *app)
{
  lt_train_report_log (app->report, epoch, iteration, running_loss);
}

static void
on_evaluated (LtTrainer *trainer,
              guint      epoch,
              double     test_loss,
              double     accuracy,
              LtTensor  *predictions,
              LtTensor  *targets,
              App       *app)
{
  lt_train_report_evaluated (app->report, epoch, test_loss, accuracy);
}

static void
on_epoch_finished (LtTrainer *trainer,
                   guint      epoch,
                   double     train_loss,
                   double     accuracy,
                   LtTensor  *class_accuracy,
                   LtTensor  *confusion,
                   App       *app)
{
  lt_train_report_epoch (app->report, epoch, train_loss, accuracy);
  g_set_object (&app->confusion, confusion);
}

static LtOptimizer *
make_optimizer (const Options  *o,
                LtModule       *net,
                GError        **error)
{
  /* RMSprop's momentum is PyTorch's default (0) unless asked for; AdamW's
   * weight decay is PyTorch's default (0.01). */
  double momentum = o->optimizer == OPT_RMSPROP && !o->momentum_set ? 0 : o->momentum;
  double weight_decay = o->optimizer == OPT_ADAMW ? 0.01 : 0;

  return lt_train_optimizer_new ((LtTrainOptimizerKind) o->optimizer, net, o->lr, momentum,
                                 weight_decay, error);
}

static gboolean
resolve_device (DeviceChoice choice, int index, LtDevice *device, GError **error)
{
  g_autoptr(LtTensor) probe = NULL;
  g_autoptr(LtTensor) moved = NULL;
  g_autoptr(GError) local = NULL;

  *device = LT_DEVICE_CPU;
  if (choice == DEVICE_CPU)
    return TRUE;
  probe = lt_scalar (0);
  moved = lt_tensor_to_device_index (probe, LT_DEVICE_CUDA, index, &local);
  if (moved != NULL)
    {
      *device = LT_DEVICE_CUDA;
      return TRUE;
    }
  if (choice == DEVICE_AUTO)
    return TRUE;
  if (index == 0)
    g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, _ ("--device cuda: no CUDA device: %s"),
                 local->message);
  else
    g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, _ ("--device cuda:%d: no such CUDA device: %s"),
                 index, local->message);
  return FALSE;
}

/* The autograd graph of one training step: the loss of the training set's
 * first mini-batch, before any update, with its gradients' statistics. */
static gboolean
write_graph (LtModule   *net,
             LtLoss     *loss,
             LtDataset  *train,
             gint64      batch_size,
             LtDevice    device,
             int         device_index,
             const char *path,
             GError    **error)
{
  g_autoptr(LtRenderGraph) graph = lt_train_plots_graph (net, loss, train, batch_size, device,
                                                          device_index, TRUE, error);

  return graph != NULL && lt_train_plots_write_graph (graph, path, error);
}

/* print('GroundTruth: ', ' '.join('%5s' % classes[labels[j]] for j in range(4))) */
static void
print_classes (const char    *what,
               const gint64  *labels,
               gsize          n,
               char         **classes)
{
  guint n_classes = g_strv_length (classes);

  printf ("%s ", what);
  for (gsize j = 0; j < n; j++)
    printf (" %5s", labels[j] >= 0 && labels[j] < n_classes ? classes[labels[j]] : "?");
  printf ("\n");
}

/* The tutorial's test section: the first test batch, then the accuracy
 * over the test set, overall and per class. */
static gboolean
test_section (App          *app,
              LtTrainer    *trainer,
              LtDataLoader *test_loader,
              char        **classes,
              const char   *grid,
              GError      **error)
{
  g_autoptr(LtTensor) images = NULL, labels = NULL, predicted = NULL;
  g_autofree gint64 *l = NULL, *p = NULL, *conf = NULL;
  gsize n_l, n_p, n_conf;
  gint64 n_classes, correct = 0, total = 0;

  lt_data_loader_reset (test_loader);
  if (!lt_data_loader_next (test_loader, &images, &labels, error))
    return FALSE;
  if (images == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, _ ("the test set is empty"));
      return FALSE;
    }
  lt_data_loader_reset (test_loader);
  if (!(predicted = lt_trainer_predict (trainer, images, error)) ||
      !(l = lt_tensor_to_int64s (labels, &n_l, error)) ||
      !(p = lt_tensor_to_int64s (predicted, &n_p, error)))
    return FALSE;
  print_classes ("GroundTruth:", l, n_l, classes);
  print_classes ("Predicted:", p, n_p, classes);
  fflush (stdout);
  if (grid)
    {
      static const double range[2] = { -1, 1 };   /* imshow(img / 2 + 0.5) */

      if (!lt_save_image (images, grid, 8, 2, TRUE, range, FALSE, 0, error))
        return FALSE;
    }

  if (app->confusion == NULL &&
      !lt_trainer_evaluate (trainer, test_loader, NULL, NULL, &app->confusion, NULL, error))
    return FALSE;
  conf = lt_tensor_to_int64s (app->confusion, &n_conf, error);
  if (conf == NULL)
    return FALSE;
  n_classes = lt_tensor_get_shape (app->confusion, NULL)[0];
  for (gint64 i = 0; i < n_classes; i++)
    for (gint64 j = 0; j < n_classes; j++)
      {
        total += conf[i * n_classes + j];
        correct += i == j ? conf[i * n_classes + j] : 0;
      }
  if (total == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, _("the test set is empty"));
      return FALSE;
    }
  printf ("Accuracy of the network on the %" G_GINT64_FORMAT " test images: %d %%\n", total,
          (int) (100.0 * (double) correct / (double) total));
  for (gint64 i = 0; i < n_classes && classes[i]; i++)
    {
      gint64 class_total = 0;

      for (gint64 j = 0; j < n_classes; j++)
        class_total += conf[i * n_classes + j];
      if (class_total > 0)
        printf ("Accuracy of %5s: %2d %%\n", classes[i],
                (int) (100.0 * (double) conf[i * n_classes + i] / (double) class_total));
      else
        printf ("Accuracy of %5s: no test images\n", classes[i]);
    }
  fflush (stdout);
  return TRUE;
}

/* --plots: what the run leaves to see, drawn by the viewer's renderers */
static gboolean
write_plots (const Options     *o,
             App               *app,
             LtTrainer         *trainer,
             LtModule          *net,
             LtLoss            *loss,
             const LtTrainData *data,
             LtDevice           device,
             GError           **error)
{
  g_autoptr(LtRenderLossData) curves = NULL;
  LtTrainPlots plots = { 0 };

  curves = lt_train_report_loss_data (app->report, &plots.smoothing);
  plots.trainer = trainer;
  plots.net = net;
  plots.loss = loss;
  plots.train = data->train;
  plots.classes = data->classes;
  plots.loss_data = curves;
  plots.confusion = app->confusion;
  plots.batch_size = o->batch_size;
  plots.device = device;
  plots.device_index = o->device_index;
  return lt_train_plots_write (&plots, o->plots, error);
}

static int
fail (const char *what,
      GError     *error)
{
  fprintf (stderr, "lt-train: %s%s\n", what, error->message);
  g_error_free (error);
  return 1;
}

static gboolean
ensure_parent (const char  *path,
               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* --data, when given, must be a folder that exists: lt-train never makes
 * one from a mistyped name. */
static gboolean
check_data_folder (const char *dir, GError **error)
{
  GStatBuf st;

  if (g_stat (dir, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("--data %s: %s (lt-train does not create it: make the folder, or give "
                      "the one that holds CIFAR-10 or Fashion-MNIST)"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, _ ("--data %s is not a folder"), dir);
      return FALSE;
    }
  return TRUE;
}

/* The files written after training can be written: found out now, not
 * after the run. */
static gboolean
check_outputs (const Options *o, GError **error)
{
  const struct
  {
    const char *option;
    const char *path;
  } outputs[] = {
    { "--loss-csv", o->loss_csv },
    { "--loss-plot", o->loss_plot },
    { "--graph", o->graph },
    { "--grid", o->grid },
  };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    if (outputs[i].path && !lt_file_check_writable (outputs[i].path, error))
      {
        g_prefix_error (error, "%s: ", outputs[i].option);
        return FALSE;
      }
  /* --plots: its folder is made now, and each picture checked */
  if (o->plots)
    {
      static const char *const names[] = { "grid.png",  "loss.png",  "loss.svg",
                                           "graph.png", "graph.svg", "confusion.png" };

      if (g_mkdir_with_parents (o->plots, 0755) != 0)
        {
          int saved = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _ ("--plots: cannot create the folder %s: %s"), o->plots,
                       g_strerror (saved));
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *path = g_build_filename (o->plots, names[i], NULL);

          if (!lt_file_check_writable (path, error))
            {
              g_prefix_error (error, "--plots: ");
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* Under mpirun every rank must start at the same step: a checkpoint that
 * only some ranks see (a file system the nodes do not share) would leave
 * the copies of the model different. */
static gboolean
same_start_everywhere (LtProcessGroup *group,
                       LtTrainer      *trainer,
                       gboolean        resume,
                       const char     *checkpoint,
                       GError        **error)
{
  g_autoptr(LtTensor) low = NULL;
  g_autoptr(LtTensor) high = NULL;
  double step = resume && g_file_test (checkpoint, G_FILE_TEST_EXISTS)
                  ? (double) lt_trainer_get_step (trainer) + 1
                  : 0;
  double lo = 0, hi = 0;

  low = lt_scalar_tensor (step, LT_DTYPE_FLOAT64);
  high = lt_scalar_tensor (step, LT_DTYPE_FLOAT64);
  if (!lt_process_group_all_reduce (group, low, LT_REDUCE_OP_MIN, error) ||
      !lt_process_group_all_reduce (group, high, LT_REDUCE_OP_MAX, error) ||
      !lt_tensor_item (low, &lo, error) || !lt_tensor_item (high, &hi, error))
    return FALSE;
  if (lo != hi)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   _ ("the processes would start at different steps: %s is missing or "
                      "differs on some of them (put it on a file system they all share)"),
                   checkpoint);
      return FALSE;
    }
  return TRUE;
}

static int
run (Options *o,
     App     *app)
{
  GError *error = NULL;
  g_auto(LtTrainData) data = { 0 };
  g_autoptr(LtTrainNet) net = NULL;
  g_autoptr(LtCrossEntropyLoss) loss = NULL;
  g_autoptr(LtOptimizer) optimizer = NULL;
  g_autoptr(LtDataLoader) train_loader = NULL;
  g_autoptr(LtDataLoader) test_loader = NULL;
  g_autoptr(LtTrainer) trainer = NULL;
  g_autoptr(LtTrainReport) report = NULL;
  g_autofree char *checkpoint = NULL;
  gboolean interactive = isatty (STDOUT_FILENO) && isatty (STDERR_FILENO);
  g_autoptr(LtDistributedDataParallel) ddp = NULL;
  g_autoptr(LtDistributedSampler) sampler = NULL;
  LtProcessGroup *group = NULL;
  LtModule       *model;
  int             rank = 0, world = 1;
  LtDevice device;
  LtTrainerState state;
  gboolean ok;

  if (lt_distributed_is_launched ())
    {
      /* Under mpirun: rank 0 prints and writes; the others train quietly
       * (their errors still go to stderr). */
      if (!lt_init_process_group ("mpi", o->timeout, &error))
        return fail (_ ("cannot join the other processes: "), error);
      group = lt_process_group_get_default ();
      rank = lt_process_group_get_rank (group);
      world = lt_process_group_get_size (group);
      if (rank != 0)
        {
          int null_fd = open ("/dev/null", O_WRONLY);

          if (null_fd >= 0)
            {
              fflush (stdout);
              dup2 (null_fd, STDOUT_FILENO);
              close (null_fd);
            }
          g_clear_pointer (&o->grid, g_free);
          g_clear_pointer (&o->loss_csv, g_free);
          g_clear_pointer (&o->loss_plot, g_free);
          g_clear_pointer (&o->graph, g_free);
          g_clear_pointer (&o->plots, g_free);
          interactive = FALSE;
        }
    }
  if (!resolve_device (o->device, o->device_index, &device, &error))
    return fail ("", error);
  if (o->data_given && !check_data_folder (o->data, &error))
    return fail ("", error);
  if (!check_outputs (o, &error))
    return fail ("", error);
  /* Rank 0 gets the data (downloads it when absent) before the others
   * read it. */
  if (group && rank != 0 && !lt_process_group_barrier (group, &error))
    return fail (_ ("waiting for rank 0 to get the data: "), error);
  if (!lt_train_data_load (o->dataset, o->data, interactive, app->cancellable, &data, &error) ||
      interrupted (app))
    {
      if (interrupted (app))
        {
          g_clear_error (&error);
          fprintf (stderr, "lt-train: %s\n", _ ("interrupted before training"));
          return 1;
        }
      return fail ("", error);
    }
  if (group && rank == 0 && !lt_process_group_barrier (group, &error))
    return fail ("", error);
  if (rank == 0)
    fprintf (stderr,
             _ ("Training on %s: %" PRId64 " training images, %" PRId64
                " test images, batch size %" PRId64 ", %s\n"),
             data.description, lt_dataset_get_length (data.train),
             lt_dataset_get_length (data.test), o->batch_size,
             device == LT_DEVICE_CUDA ? "CUDA" : "CPU");
  if (group && rank == 0)
    fprintf (stderr,
             _ ("Distributed over %d processes: %" PRId64 " images per process and mini-batch, "
                "a global batch of %" PRId64 "\n"),
             world, o->batch_size, o->batch_size * world);
  if (data.kind == LT_TRAIN_DATASET_FASHION_MNIST && rank == 0)
    fprintf (stderr, "%s\n", _("Fashion-MNIST: the network's first convolution takes 1 channel, "
                               "and the 28x28 images are padded to 32x32"));

  lt_manual_seed (o->seed);
  if (!(net = lt_train_net_new (data.in_channels, &error)) ||
      !(loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error)) ||
      !(optimizer = make_optimizer (o, LT_MODULE (net), &error)) ||
      !(train_loader = lt_data_loader_new (data.train, o->batch_size, group == NULL, FALSE,
                                           o->workers, &error)) ||
      !(test_loader =
          lt_data_loader_new (data.test, o->batch_size, FALSE, FALSE, o->workers, &error)))
    return fail ("", error);
  model = LT_MODULE (net);
  if (group)
    {
      /* Each rank its shard of every epoch, reshuffled from the seed; the
       * gradients averaged over the ranks. */
      if (!(sampler = lt_distributed_sampler_new (0, -1, TRUE, o->seed, FALSE, &error)) ||
          !lt_data_loader_set_sampler (train_loader, LT_SAMPLER (sampler), &error) ||
          !(ddp = lt_distributed_data_parallel_new (model, group, 0, &error)))
        return fail ("", error);
      model = LT_MODULE (ddp);
    }

  trainer =
    lt_trainer_new (model, LT_LOSS (loss), optimizer, train_loader, test_loader, (guint) o->epochs);
  if (!lt_trainer_set_device_index (trainer, device, o->device_index, &error))
    return fail ("", error);
  lt_trainer_set_log_interval (trainer, o->log_interval);
  checkpoint = o->checkpoint ? g_strdup (o->checkpoint)
                             : g_build_filename (o->data, DEFAULT_CHECKPOINT, NULL);
  lt_trainer_set_checkpoint_path (trainer, checkpoint);
  lt_trainer_set_checkpoint_every_epoch (trainer, o->checkpoint != NULL);
  if (o->resume)
    {
      if (g_file_test (checkpoint, G_FILE_TEST_EXISTS))
        {
          if (!lt_trainer_resume_from (trainer, checkpoint, &error))
            return fail (_("cannot resume: "), error);
          if (rank == 0)
            fprintf (stderr, _ ("Resuming from %s: epoch %u, after mini-batch %" PRId64 "\n"),
                     checkpoint, lt_trainer_get_epoch (trainer) + 1,
                     lt_trainer_get_iteration (trainer));
        }
      else if (rank == 0)
        fprintf (stderr, _("No checkpoint at %s: starting from the beginning\n"), checkpoint);
    }
  if (group && !same_start_everywhere (group, trainer, o->resume, checkpoint, &error))
    return fail ("--resume: ", error);
  /* Rank 0 alone writes the checkpoint (LtTrainer) */
  if (rank == 0 && !ensure_parent (checkpoint, &error))
    return fail ("", error);
  if (rank == 0 && o->checkpoint != NULL && !lt_file_check_writable (checkpoint, &error))
    return fail ("--checkpoint: ", error);
  if (rank == 0 && o->checkpoint == NULL && !lt_file_check_writable (checkpoint, &error))
    {
      /* Only Ctrl-C would write it: say so, and train. */
      fprintf (stderr,
               _ ("lt-train: a Ctrl-C could not save its checkpoint (%s); give "
                  "--checkpoint FILE to save it elsewhere\n"),
               error->message);
      g_clear_error (&error);
    }
  if (o->graph && !write_graph (LT_MODULE (net), LT_LOSS (loss), data.train, o->batch_size, device,
                                o->device_index, o->graph, &error))
    return fail ("--graph: ", error);

  report = lt_train_report_new (interactive, o->batch_size,
                                lt_data_loader_get_length (train_loader), (guint) o->epochs);
  lt_train_report_start (report, lt_trainer_get_epoch (trainer) + 1,
                         lt_trainer_get_iteration (trainer));
  app->report = report;
  if (rank == 0)
    {
      g_signal_connect (trainer, "step", G_CALLBACK (on_step), app);
      g_signal_connect (trainer, "log", G_CALLBACK (on_log), app);
      g_signal_connect (trainer, "evaluated", G_CALLBACK (on_evaluated), app);
      g_signal_connect (trainer, "epoch-finished", G_CALLBACK (on_epoch_finished), app);
    }

  g_mutex_lock (&app->lock);
  app->trainer = trainer;
  g_mutex_unlock (&app->lock);
  /* A Ctrl-C before the trainer was there */
  if (interrupted (app))
    lt_trainer_stop (trainer);
  ok = lt_trainer_run (trainer, NULL, &error);
  g_mutex_lock (&app->lock);
  app->trainer = NULL;
  g_mutex_unlock (&app->lock);
  lt_train_report_clear_bar (report);
  state = lt_trainer_get_state (trainer);

  if (ok && o->loss_csv && !lt_train_report_write_csv (report, o->loss_csv, &error))
    return fail ("--loss-csv: ", error);
  if (ok && o->loss_plot && !lt_train_report_write_plot (report, o->loss_plot, &error))
    return fail ("--loss-plot: ", error);
  if (!ok && g_error_matches (error, LT_ERROR, LT_ERROR_DIVERGED))
    {
      /* Translators: after the library's message saying at which step */
      fprintf (stderr, _ ("lt-train: %s\nThe learning rate may be too high (--lr %g).\n"),
               error->message, o->lr);
      g_error_free (error);
      return 1;
    }
  if (!ok)
    return fail (_("training failed: "), error);
  if (state == LT_TRAINER_STATE_STOPPED)
    {
      if (rank == 0)
        fprintf (stderr,
                 _ ("Stopped in epoch %u after mini-batch %" PRId64 "; checkpoint written to %s\n"
                    "Continue with: lt-train --resume --checkpoint %s (and the same "
                    "options)\n"),
                 lt_trainer_get_epoch (trainer) + 1, lt_trainer_get_iteration (trainer), checkpoint,
                 checkpoint);
      if (o->plots &&
          !write_plots (o, app, trainer, LT_MODULE (net), LT_LOSS (loss), &data, device, &error))
        return fail ("--plots: ", error);
      return 0;
    }

  /* The tutorial's lines (this one, the loss lines, GroundTruth/Predicted
   * and the accuracies) are printed as the tutorial prints them, in English
   * in every language, so that they compare with PyTorch's output. */
  printf ("Finished Training\n");
  fflush (stdout);
  if (!test_section (app, trainer, test_loader, data.classes, o->grid, &error))
    return fail ("", error);
  if (o->plots &&
      !write_plots (o, app, trainer, LT_MODULE (net), LT_LOSS (loss), &data, device, &error))
    return fail ("--plots: ", error);
  return 0;
}

int
lt_train_main (int    argc,
               char **argv)
{
  g_auto(Options) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  App app = { 0 };
  GThread *sigint;
  int status;

  /* Messages in the user's language and charset; numbers always with a
   * decimal point, as the tutorial prints them. LT_LOCALEDIR points at the
   * translations of an uninstalled build. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("LT_LOCALEDIR") ? g_getenv ("LT_LOCALEDIR")
                                                            : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("lt-train");
  if (!parse_options (&argc, &argv, &o, &error))
    {
      fprintf (stderr, _("lt-train: %s (see lt-train --help)\n"), error->message);
      return 2;
    }

  /* A file size limit makes a write fail, not the process end. */
  signal (SIGXFSZ, SIG_IGN);
  g_mutex_init (&app.lock);
  app.cancellable = cancellable;
  app.interactive = isatty (STDOUT_FILENO) && isatty (STDERR_FILENO);
  sigint = sigint_watch (&app);
  status = run (&o, &app);
  /* Under mpirun: leave the group (after a lost peer this fails at once:
   * the error was reported) */
  if (lt_distributed_is_initialized () && !lt_destroy_process_group (&error) && status == 0)
    status = fail ("", g_steal_pointer (&error));
  g_clear_error (&error);
  sigint_unwatch (sigint);
  g_clear_object (&app.confusion);
  g_mutex_clear (&app.lock);
  /* The renderers' caches and fonts, then Cairo's, so that leak checkers
   * see nothing left */
  lt_render_cleanup ();
  cairo_debug_reset_static_data ();
  return status;
}
