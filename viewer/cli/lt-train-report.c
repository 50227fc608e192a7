/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include <libtensor.h>

#include "lt-train-report.h"

/*
 * What lt-train shows while it trains: the tutorial's running-loss lines
 * on stdout; on stderr, a progress bar with the rate and the time left
 * when stdout is a terminal, and a line per epoch. It keeps the loss
 * curves for --loss-csv, --loss-plot and --plots.
 */

typedef struct
{
  guint epoch;
  gint64 iteration;
  double loss;
} Point;

struct _LtTrainReport
{
  gboolean bar;
  gint64 batch_size;
  gint64 per_epoch;
  guint epochs;

  GArray *logs;                 /* Point: the running losses printed */
  GArray *steps;                /* Point: every step's loss */
  GArray *tests;                /* Point: each epoch's test loss  */
  GArray *accuracies;           /* Point: each epoch's test accuracy */

  gint64 start_time;
  gint64 epoch_start_time;
  gint64 last_step_time;        /* when the epoch's latest step arrived */
  guint64 steps_done;           /* in this run */
  guint64 epoch_steps_done;
  gint64 steps_left;            /* when this run started */
  gint64 last_draw;
  gboolean bar_shown;
  guint epoch;
  gint64 iteration;
  double loss;
};

LtTrainReport *
lt_train_report_new (gboolean progress_bar,
                     gint64   batch_size,
                     gint64   batches_per_epoch,
                     guint    epochs)
{
  LtTrainReport *self = g_new0 (LtTrainReport, 1);

  self->bar = progress_bar;
  self->batch_size = batch_size;
  self->per_epoch = batches_per_epoch;
  self->epochs = epochs;
  self->logs = g_array_new (FALSE, FALSE, sizeof (Point));
  self->steps = g_array_new (FALSE, FALSE, sizeof (Point));
  self->tests = g_array_new (FALSE, FALSE, sizeof (Point));
  self->accuracies = g_array_new (FALSE, FALSE, sizeof (Point));
  self->start_time = g_get_monotonic_time ();
  self->epoch_start_time = self->start_time;
  return self;
}

void
lt_train_report_free (LtTrainReport *self)
{
  g_array_unref (self->logs);
  g_array_unref (self->steps);
  g_array_unref (self->tests);
  g_array_unref (self->accuracies);
  g_free (self);
}

/* Training starts at mini-batch @iteration of epoch @epoch (from 1). */
void
lt_train_report_start (LtTrainReport *self,
                       guint          epoch,
                       gint64         iteration)
{
  self->steps_left = MAX (0, (gint64) self->epochs * self->per_epoch -
                             ((gint64) (epoch - 1) * self->per_epoch + iteration));
  self->epoch = epoch;
  self->iteration = iteration;
  self->start_time = g_get_monotonic_time ();
  self->epoch_start_time = self->start_time;
}

static void
format_duration (char   *buf,
                 gsize   size,
                 double  seconds)
{
  gint64 s = (gint64) (seconds + 0.5);

  if (s >= 3600)
    g_snprintf (buf, size, "%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60),
                (int) (s % 60));
  else
    g_snprintf (buf, size, "%d:%02d", (int) (s / 60), (int) (s % 60));
}

static void
draw_bar (LtTrainReport *self)
{
  const int width = 24;
  double elapsed = (double) (g_get_monotonic_time () - self->start_time) / G_USEC_PER_SEC;
  double rate = elapsed > 0 ? (double) self->steps_done * self->batch_size / elapsed : 0;
  double per_step = self->steps_done > 0 ? elapsed / (double) self->steps_done : 0;
  double left = per_step * (double) MAX (0, self->steps_left - (gint64) self->steps_done);
  int filled = self->per_epoch > 0 ? (int) (width * self->iteration / self->per_epoch) : 0;
  char bar[64], eta[32];

  filled = CLAMP (filled, 0, width);
  memset (bar, '#', filled);
  memset (bar + filled, '.', width - filled);
  bar[width] = '\0';
  format_duration (eta, sizeof eta, left);
  fprintf (stderr, "\r\033[K");
  /* Translators: the progress bar: epoch, epochs, the bar, mini-batches
   * done, per epoch, images per second, time left, the loss */
  fprintf (stderr, _("epoch %u/%u [%s] %" PRId64 "/%" PRId64
                     "  %.0f images/s  ETA %s  loss %.3f"), self->epoch, self->epochs, bar,
           self->iteration, self->per_epoch, rate, eta, self->loss);
  fflush (stderr);
  self->bar_shown = TRUE;
}

void
lt_train_report_clear_bar (LtTrainReport *self)
{
  if (self->bar_shown)
    {
      fprintf (stderr, "\r\033[K");
      fflush (stderr);
      self->bar_shown = FALSE;
    }
}

void
lt_train_report_step (LtTrainReport *self,
                      guint          epoch,
                      gint64         iteration,
                      double         loss)
{
  Point p = { epoch, iteration, loss };
  gint64 now;

  g_array_append_val (self->steps, p);
  now = g_get_monotonic_time ();
  if (epoch != self->epoch)
    {
      self->epoch_start_time = now;
      self->epoch_steps_done = 0;
    }
  self->last_step_time = now;
  self->epoch = epoch;
  self->iteration = iteration;
  self->loss = loss;
  self->steps_done++;
  self->epoch_steps_done++;
  if (!self->bar)
    return;
  if (now - self->last_draw >= G_USEC_PER_SEC / 10 || iteration == self->per_epoch)
    {
      self->last_draw = now;
      draw_bar (self);
    }
}

/* print('[%d, %5d] loss: %.3f' % (epoch + 1, i + 1, running_loss / 2000)) */
void
lt_train_report_log (LtTrainReport *self,
                     guint          epoch,
                     gint64         iteration,
                     double         running_loss)
{
  Point p = { epoch, iteration, running_loss };

  g_array_append_val (self->logs, p);
  lt_train_report_clear_bar (self);
  printf ("[%u, %5" G_GINT64_FORMAT "] loss: %.3f\n", epoch, iteration, running_loss);
  fflush (stdout);
  if (self->bar)
    draw_bar (self);
}

/* The epoch's line: its time split into training (up to its last step)
 * and the test set's evaluation (from there to this signal), and the
 * training rate. */
void
lt_train_report_epoch (LtTrainReport *self,
                       guint          epoch,
                       double         train_loss,
                       double         accuracy)
{
  gint64 now = g_get_monotonic_time ();
  gint64 train_end = self->epoch_steps_done > 0 ? self->last_step_time : now;
  double secs = (double) (now - self->epoch_start_time) / G_USEC_PER_SEC;
  double train_secs = (double) (train_end - self->epoch_start_time) / G_USEC_PER_SEC;
  double test_secs = (double) (now - train_end) / G_USEC_PER_SEC;
  double rate = train_secs > 0 ? (double) self->epoch_steps_done * self->batch_size / train_secs
                               : 0;

  lt_train_report_clear_bar (self);
  if (isnan (accuracy))
    fprintf (stderr, _("Epoch %u: mean loss %.3f, %.1f s, %.0f images/s\n"), epoch, train_loss,
             secs, rate);
  else
    fprintf (stderr, _("Epoch %u: mean loss %.3f, test accuracy %.2f %%, %.1f s (training "
                       "%.2f s, test %.2f s), %.0f images/s\n"), epoch, train_loss,
             100 * accuracy, secs, train_secs, test_secs, rate);
  fflush (stderr);
  /* The next epoch starts now (its first step must not restart the
   * clock). */
  self->epoch_start_time = now;
  self->epoch_steps_done = 0;
  self->epoch = epoch + 1;
  self->iteration = 0;
}

/* The loss curve: the running losses printed, or (for runs too short to
 * print any) every step's loss. */
static GArray *
curve (LtTrainReport *self)
{
  return self->logs->len > 0 ? self->logs : self->steps;
}

gboolean
lt_train_report_write_csv (LtTrainReport  *self,
                           const char     *path,
                           GError        **error)
{
  g_autoptr(GString) s = g_string_new ("epoch,iteration,running_loss\n");
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < self->logs->len; i++)
    {
      Point *p = &g_array_index (self->logs, Point, i);

      g_string_append_printf (s, "%u,%" G_GINT64_FORMAT ",%s\n", p->epoch, p->iteration,
                              g_ascii_formatd (buf, sizeof buf, "%.6f", p->loss));
    }
  return lt_file_set_contents (path, (const guint8 *) s->str, s->len, error);
}

/* The epoch's evaluation on the test set: a point of the test curves at
 * the epoch's last step. */
void
lt_train_report_evaluated (LtTrainReport *self, guint epoch, double test_loss, double accuracy)
{
  Point loss = { epoch, self->per_epoch, test_loss };
  Point acc = { epoch, self->per_epoch, accuracy };

  g_array_append_val (self->tests, loss);
  g_array_append_val (self->accuracies, acc);
}

static double
global_step (LtTrainReport *self, const Point *p)
{
  return (double) (p->epoch - 1) * (double) self->per_epoch + (double) p->iteration;
}

/* The run's curves for the renderers: the training loss (the running
 * losses printed, which are averages already and not smoothed again, or
 * for runs too short to print any, every step's loss, smoothed), the test
 * loss and accuracy per epoch, against the step. */
LtRenderLossData *
lt_train_report_loss_data (LtTrainReport *self, double *smoothing)
{
  LtRenderLossData *data = lt_render_loss_data_new ();
  GArray           *train = curve (self);
  guint             run = lt_render_loss_data_add_run (data, "lt-train");
  struct
  {
    GArray        *points;
    LtRenderSeries series;
  } all[] = {
    { train, LT_RENDER_SERIES_TRAIN_LOSS },
    { self->tests, LT_RENDER_SERIES_TEST_LOSS },
    { self->accuracies, LT_RENDER_SERIES_TEST_ACCURACY },
  };

  for (guint k = 0; k < G_N_ELEMENTS (all); k++)
    for (guint i = 0; i < all[k].points->len; i++)
      {
        Point *p = &g_array_index (all[k].points, Point, i);

        if (isnan (p->loss))
          continue;
        lt_render_loss_data_append (data, run, all[k].series, global_step (self, p), p->loss);
      }
  if (smoothing)
    *smoothing = train == self->logs ? 0 : 0.6;
  return data;
}

/* --loss-plot: SVG for a name ending in .svg, PNG for any other (a FIFO,
 * /dev/stdout) */
gboolean
lt_train_report_write_plot (LtTrainReport  *self,
                            const char     *path,
                            GError        **error)
{
  g_autoptr(LtRenderLossData) data = NULL;
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderTheme    theme;
  gboolean         svg = g_str_has_suffix (path, ".svg") || g_str_has_suffix (path, ".SVG");

  lt_render_loss_view_init (&view);
  data = lt_train_report_loss_data (self, &view.smoothing);
  lt_render_theme_init (&theme, FALSE);
  frame = lt_render_loss_frame_new (data, &view, &theme, 720, 432);
  return lt_render_loss_frame_write (frame, path, svg ? LT_RENDER_FORMAT_SVG : LT_RENDER_FORMAT_PNG,
                                     error);
}
