/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo.h>
#include <glib/gi18n.h>

#include <libtensor.h>

#include "lt-train-report.h"

/*
 * What lt-train shows while it trains: the tutorial's running-loss lines
 * on stdout; on stderr, a progress bar with the rate and the time left
 * when stdout is a terminal, and a line per epoch. It keeps the loss
 * curve for --loss-csv and --loss-plot.
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
  self->start_time = g_get_monotonic_time ();
  self->epoch_start_time = self->start_time;
  return self;
}

void
lt_train_report_free (LtTrainReport *self)
{
  g_array_unref (self->logs);
  g_array_unref (self->steps);
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

static double
nice_step (double range,
           int    ticks)
{
  double raw = range / ticks;
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
lt_train_report_write_plot (LtTrainReport  *self,
                            const char     *path,
                            GError        **error)
{
  const int W = 720, H = 432, left = 64, right = 20, top = 36, bottom = 48;
  GArray *pts = curve (self);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (surface);
  double xmax = 1, ymin = 0, ymax = 1, ystep, xstep;
  g_autoptr (GByteArray) png = g_byte_array_new ();
  cairo_status_t status;
  char label[64];

  for (guint i = 0; i < pts->len; i++)
    {
      Point *p = &g_array_index (pts, Point, i);
      double x = (double) (p->epoch - 1) * self->per_epoch + p->iteration;

      xmax = MAX (xmax, x);
      ymax = i == 0 ? p->loss : MAX (ymax, p->loss);
    }
  ymax = ymax > 0 ? ymax * 1.1 : 1;
  ystep = nice_step (ymax - ymin, 5);
  ymax = ceil (ymax / ystep) * ystep;
  xstep = nice_step (xmax, 6);
  xmax = ceil (xmax / xstep) * xstep;

#define PX(x) (left + (x) / xmax * (W - left - right))
#define PY(y) (H - bottom - ((y) - ymin) / (ymax - ymin) * (H - top - bottom))

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 12);

  /* Grid and tick labels */
  cairo_set_line_width (cr, 1);
  for (double y = ymin; y <= ymax + ystep / 2; y += ystep)
    {
      cairo_set_source_rgb (cr, 0.88, 0.88, 0.88);
      cairo_move_to (cr, left, floor (PY (y)) + 0.5);
      cairo_line_to (cr, W - right, floor (PY (y)) + 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      g_snprintf (label, sizeof label, "%g", y);
      cairo_move_to (cr, 8, PY (y) + 4);
      cairo_show_text (cr, label);
    }
  for (double x = 0; x <= xmax + xstep / 2; x += xstep)
    {
      cairo_set_source_rgb (cr, 0.88, 0.88, 0.88);
      cairo_move_to (cr, floor (PX (x)) + 0.5, top);
      cairo_line_to (cr, floor (PX (x)) + 0.5, H - bottom);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      g_snprintf (label, sizeof label, "%g", x);
      cairo_move_to (cr, PX (x) - 10, H - bottom + 16);
      cairo_show_text (cr, label);
    }
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, left + 0.5, top + 0.5, W - left - right - 1, H - top - bottom - 1);
  cairo_stroke (cr);
  cairo_move_to (cr, left, 22);
  cairo_set_font_size (cr, 14);
  cairo_show_text (cr, self->logs->len > 0 ? _("Running loss") : _("Loss per mini-batch"));
  cairo_set_font_size (cr, 12);
  cairo_move_to (cr, W / 2 - 40, H - 12);
  cairo_show_text (cr, _("mini-batches"));

  /* The curve */
  cairo_set_source_rgb (cr, 0.12, 0.39, 0.71);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < pts->len; i++)
    {
      Point *p = &g_array_index (pts, Point, i);
      double x = PX ((double) (p->epoch - 1) * self->per_epoch + p->iteration);
      double y = PY (p->loss);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  for (guint i = 0; i < pts->len && pts->len <= 200; i++)
    {
      Point *p = &g_array_index (pts, Point, i);

      cairo_arc (cr, PX ((double) (p->epoch - 1) * self->per_epoch + p->iteration),
                 PY (p->loss), 3, 0, 2 * G_PI);
      cairo_fill (cr);
    }
#undef PX
#undef PY

  cairo_destroy (cr);
  cairo_surface_flush (surface);
  status = cairo_surface_write_to_png_stream (surface, append_png, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, _ ("cannot draw %s: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return lt_file_set_contents (path, png->data, png->len, error);
}
