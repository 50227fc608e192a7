/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-values.h"

/*
 * The text form of a tensor, as the tutorial prints it: the layout of
 * PyTorch 0.3's torch/_tensor_str.py (the classic Torch format), rule for
 * rule.
 *
 * - One number format for the whole tensor, chosen from the smallest and
 *   largest finite magnitudes (choose_format()): integers as "%*.0f";
 *   fixed point with 4 decimals; scientific "%*.4e" when the magnitudes
 *   span more than 4 decades; or fixed point over a common scale factor,
 *   printed first as a line such as "1.00000e-28 *", when they are all
 *   tiny or huge. Integer tensors are the exception: their values print
 *   exactly, as "%*lld" as wide as the longest and a sign (PyTorch 0.3 put
 *   integers of more than 5 digits in scientific notation, which loses
 *   digits; PyTorch prints them as integers now). The minimum width is 2;
 *   3 with nan or inf among the
 *   values; 5 for a matrix (3 for the matrices of a higher-dimensional
 *   tensor) with more than 6 rows or columns.
 * - Values in a row are separated by one space; rows printed under a scale
 *   factor get one more space in front.
 * - A matrix wider than 80 characters is cut into "Columns i to j" blocks
 *   (0-based), each block preceded by an empty line.
 * - A tensor of more than two dimensions prints each matrix under a
 *   "(i,j,.,.) = " header, each index centred in the width of the longest
 *   size (at least 2), blocks separated by an empty line.
 * - From 1,000 elements on the tensor is summarised: 3 leading and 3
 *   trailing items of each dimension of more than 6; "  ...  " between the
 *   kept columns; a centred "⋮" line between kept rows of a vector or a
 *   narrow matrix; a "...  ⋱  ..." line between kept rows of a wide one;
 *   "..." and "⋮" lines between the kept matrices of higher dimensions.
 * - Last comes the type and size line: "[Lt.FloatTensor of size 5x3]".
 *   A tensor without elements prints only that line; a 0-dim tensor
 *   prints its value like a 1-element vector, then "of size ()".
 */

#define PRECISION 4
#define LINE_WIDTH 80
#define THRESHOLD 1000
#define EDGE_ITEMS 3

#define VDOTS "\u22ee" /* ⋮ */
#define DDOTS "\u22f1" /* ⋱ */

typedef struct
{
  gboolean is_int; /* every value is integral: "%*.0f" */
  gboolean sci;    /* "%*.*e" */
  double   scale;
  int      width;
  /* An integer tensor's values, printed exactly (a double has 53 bits):
   * the value of v[k] (v the tensor's values as doubles, from @doubles) is
   * ints[k]. NULL for floating-point tensors. */
  const gint64 *ints;
  const double *doubles;
} Format;

static void choose_int_format (const gint64 *v, gint64 n, int min_width, Format *f);

/* The format of the values @v (of a tensor whose integer values, if it is
 * one, are @f->ints). */
static void
choose_format (const double *v, gint64 n, int min_width, Format *f)
{
  gboolean have_finite = FALSE, have_invalid = FALSE;
  double   amin = 0, amax = 0;
  int      exp_min, exp_max;

  if (f->ints)
    {
      choose_int_format (f->ints + (v - f->doubles), n, min_width, f);
      return;
    }
  f->is_int = TRUE;
  f->sci = FALSE;
  f->scale = 1;
  min_width = MAX (min_width, 2);

  for (gint64 i = 0; i < n; i++)
    {
      double a = fabs (v[i]);

      if (!isfinite (v[i]))
        {
          have_invalid = TRUE;
          continue;
        }
      if (!have_finite)
        amin = amax = a;
      else
        {
          amin = MIN (amin, a);
          amax = MAX (amax, a);
        }
      have_finite = TRUE;
      if (a != ceil (a))
        f->is_int = FALSE;
    }
  if (have_invalid)
    min_width = MAX (min_width, 3);

  exp_min = amin != 0 ? (int) floor (log10 (amin)) + 1 : 1;
  exp_max = amax != 0 ? (int) floor (log10 (amax)) + 1 : 1;

  if (f->is_int)
    {
      if (exp_max > PRECISION + 1)
        {
          f->sci = TRUE;
          f->width = MAX (min_width, 7 + PRECISION);
        }
      else
        f->width = MAX (min_width, exp_max + 1);
    }
  else if (exp_max - exp_min > PRECISION)
    {
      int w = 7 + PRECISION;

      if (ABS (exp_max) > 99 || ABS (exp_min) > 99)
        w++;
      f->sci = TRUE;
      f->width = MAX (min_width, w);
    }
  else if (exp_max > PRECISION + 1 || exp_max < 0)
    {
      f->width = MAX (min_width, 7);
      f->scale = pow (10, exp_max - 1);
    }
  else
    f->width = MAX (min_width, exp_max == 0 ? 7 : exp_max + 6);
}

/* The number of digits of |v| (1 for 0), exactly. */
static int
int_digits (gint64 v)
{
  guint64 a = v < 0 ? -(guint64) v : (guint64) v;
  int     n = 1;

  while (a >= 10)
    {
      a /= 10;
      n++;
    }
  return n;
}

/* An integer tensor's format: its values as they are, wide enough for the
 * longest and a sign, as PyTorch prints integer tensors (never in
 * floating point). */
static void
choose_int_format (const gint64 *v, gint64 n, int min_width, Format *f)
{
  int digits = 1;

  f->is_int = TRUE;
  f->sci = FALSE;
  f->scale = 1;
  for (gint64 i = 0; i < n; i++)
    digits = MAX (digits, int_digits (v[i]));
  f->width = MAX (MAX (min_width, 2), digits + 1);
}

static void
append_value (GString *s, const Format *f, const double *p)
{
  double v = *p;

  if (f->ints)
    g_string_append_printf (s, "%*" G_GINT64_FORMAT, f->width, f->ints[p - f->doubles]);
  else if (isnan (v))
    g_string_append_printf (s, "%*s", f->width, "nan");
  else if (isinf (v))
    g_string_append_printf (s, "%*s", f->width, v > 0 ? "inf" : "-inf");
  else if (f->sci)
    g_string_append_printf (s, "%*.*e", f->width, PRECISION, v);
  else if (f->is_int)
    g_string_append_printf (s, "%*.0f", f->width, v);
  else
    g_string_append_printf (s, "%*.*f", f->width, PRECISION, v / f->scale);
}

static void
append_scale (GString *s, const Format *f)
{
  if (f->scale != 1)
    g_string_append_printf (s, "%.5e *\n", f->scale);
}

/* @text (@len characters wide) centred in @width columns, the odd space on
 * the right (Python's "{:^width}"). */
static void
append_centred (GString *s, const char *text, int len, int width)
{
  int pad = MAX (width - len, 0);

  g_string_append_printf (s, "%*s%s%*s", pad / 2, "", text, pad - pad / 2, "");
}

/* Values @first .. @last - 1 of a row, separated by spaces. */
static void
append_values (GString *s, const double *row, gint64 first, gint64 last, const Format *f)
{
  for (gint64 c = first; c < last; c++)
    {
      if (c > first)
        g_string_append_c (s, ' ');
      append_value (s, f, &row[c]);
    }
}

/* One row of a summarised matrix, the middle columns left out when
 * @truncate. */
static void
append_row (GString      *s,
            const double *row,
            gint64        cols,
            const char   *indent,
            const Format *f,
            gboolean      truncate)
{
  g_string_append (s, indent);
  if (truncate)
    {
      append_values (s, row, 0, EDGE_ITEMS, f);
      g_string_append (s, "  ...  ");
      append_values (s, row, cols - EDGE_ITEMS, cols, f);
    }
  else
    append_values (s, row, 0, cols, f);
  g_string_append_c (s, '\n');
}

/* A matrix (rows x cols, row-major). @summarize forces the summarised form,
 * which is also taken from THRESHOLD elements on. */
static void
append_matrix (GString      *s,
               const double *v,
               gint64        rows,
               gint64        cols,
               const Format *f,
               const char   *indent,
               gboolean      summarize)
{
  gboolean hdots = cols > 2 * EDGE_ITEMS;
  gboolean vdots = rows > 2 * EDGE_ITEMS;
  gboolean full_mat = !hdots && !vdots;

  if (!summarize && (rows * cols < THRESHOLD || full_mat))
    {
      int per_line = MAX (1, (LINE_WIDTH - (int) strlen (indent)) / (f->width + 1));

      for (gint64 first = 0; first < cols; first += per_line)
        {
          gint64 last = MIN (first + per_line, cols);

          if (per_line < cols)
            {
              if (first != 1)
                g_string_append_c (s, '\n');
              g_string_append_printf (s,
                                      "Columns %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " \n%s",
                                      first, last - 1, indent);
            }
          append_scale (s, f);
          for (gint64 r = 0; r < rows; r++)
            {
              g_string_append (s, indent);
              if (f->scale != 1)
                g_string_append_c (s, ' ');
              append_values (s, v + r * cols, first, last, f);
              g_string_append_c (s, '\n');
            }
        }
      return;
    }

  append_scale (s, f);
  if (vdots)
    {
      for (gint64 r = 0; r < EDGE_ITEMS; r++)
        append_row (s, v + r * cols, cols, indent, f, hdots);
      if (hdots)
        {
          int w = (f->width + 1) * EDGE_ITEMS - 1;

          g_string_append (s, indent);
          append_centred (s, "...", 3, w);
          g_string_append_c (s, ' ');
          append_centred (s, DDOTS, 1, 5);
          g_string_append_c (s, ' ');
          append_centred (s, "...", 3, w);
          g_string_append_c (s, '\n');
        }
      else
        {
          /* centred in the width of a row and its newline */
          append_centred (s, VDOTS, 1, (int) (cols * (f->width + 1)));
          g_string_append_c (s, '\n');
        }
      for (gint64 r = rows - EDGE_ITEMS; r < rows; r++)
        append_row (s, v + r * cols, cols, indent, f, hdots);
    }
  else
    for (gint64 r = 0; r < rows; r++)
      append_row (s, v + r * cols, cols, indent, f, hdots);
}

static void
append_vector (GString *s, const double *v, gint64 len, const Format *values)
{
  const char *indent;
  Format      f = *values;

  choose_format (v, len, 0, &f);
  append_scale (s, &f);
  indent = f.scale != 1 ? " " : "";
  for (gint64 i = 0; i < len; i++)
    {
      if (len >= THRESHOLD && i == EDGE_ITEMS)
        {
          g_string_append (s, indent);
          append_centred (s, VDOTS, 1, f.width);
          g_string_append_c (s, '\n');
          i = len - EDGE_ITEMS - 1;
          continue;
        }
      g_string_append (s, indent);
      append_value (s, &f, &v[i]);
      g_string_append_c (s, '\n');
    }
}

/* A tensor of 3 or more dimensions: one matrix per index of the leading
 * dimensions, walked with an odometer as torch's _tensor_str does. */
static void
append_tensor (GString *s, LtTensor *self, const double *v, const Format *values)
{
  guint    lead = self->ndim - 2;
  gint64   rows = self->shape[lead], cols = self->shape[lead + 1];
  gboolean full_mat = cols <= 2 * EDGE_ITEMS && rows <= 2 * EDGE_ITEMS;
  gboolean dots = self->numel >= THRESHOLD;
  gint64   counter[LT_MAX_DIMS] = { 0 };
  int      dim_w = 2;
  gboolean started = FALSE;
  Format   f = *values;

  choose_format (v, self->numel, full_mat ? 0 : 3, &f);
  for (guint d = 0; d < self->ndim; d++)
    {
      char buf[32];
      dim_w = MAX (dim_w, g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, self->shape[d]));
    }

  counter[lead - 1] = -1;
  for (;;)
    {
      gboolean skipped[LT_MAX_DIMS] = { FALSE }, restarted[LT_MAX_DIMS] = { FALSE };
      gboolean any_skipped = FALSE, any_restarted = FALSE, finished = FALSE;
      gint64   m = 0;

      for (guint i = lead; i-- > 0;)
        {
          counter[i]++;
          if (dots && counter[i] == EDGE_ITEMS && self->shape[i] > 2 * EDGE_ITEMS)
            {
              counter[i] = self->shape[i] - EDGE_ITEMS;
              skipped[i] = any_skipped = TRUE;
            }
          if (counter[i] == self->shape[i])
            {
              if (i == 0)
                finished = TRUE;
              counter[i] = 0;
              restarted[i] = any_restarted = TRUE;
            }
          else
            break;
        }
      if (finished)
        break;
      if (dots)
        {
          if (any_skipped)
            {
              for (guint i = 0; i < lead; i++)
                append_centred (s, skipped[i] ? "..." : "", skipped[i] ? 3 : 0, dim_w + 1);
              g_string_append_c (s, '\n');
              started = TRUE;
            }
          if (any_restarted)
            {
              g_string_append_c (s, ' ');
              for (guint i = 0; i < lead; i++)
                append_centred (s, restarted[i] ? VDOTS : "", restarted[i] ? 1 : 0, dim_w + 1);
              g_string_append_c (s, '\n');
              started = TRUE;
            }
        }
      if (started)
        g_string_append_c (s, '\n');
      started = TRUE;

      g_string_append_c (s, '(');
      for (guint i = 0; i < lead; i++)
        {
          char buf[32];
          int  len = g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, counter[i]);

          if (i > 0)
            g_string_append_c (s, ',');
          append_centred (s, buf, len, dim_w);
          m = m * self->shape[i] + counter[i];
        }
      g_string_append (s, ",.,.) = \n");
      append_matrix (s, v + m * rows * cols, rows, cols, &f, " ", dots);
    }
}

/**
 * lt_tensor_to_string:
 * @self: a tensor
 *
 * Formats @self as the tutorial prints tensors (the format of PyTorch
 * 0.3):
 *
 * |[
 *  0.5453  0.4855  0.7236
 *  0.3199  0.4525  0.4917
 * [Lt.FloatTensor of size 2x3]
 * ]|
 *
 * with a common scale factor line when needed, `(i,.,.) =` headers for the
 * matrices of higher-dimensional tensors, and `...` summaries from 1,000
 * elements on.
 *
 * Returns: (transfer full): the text
 */
char *
lt_tensor_to_string (LtTensor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = NULL;
  g_autofree char   *type_name = NULL;
  g_autofree gint64 *ints = NULL;
  Format             values = { 0 };
  GString           *s;
  gsize              n;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  type_name = lt_tensor_get_type_name (self);
  s = g_string_new (NULL);

  if (self->numel > 0)
    {
      v = lt_tensor_to_doubles (self, &n, &error);
      if (v != NULL && !_lt_dtype_is_float (self->dtype))
        ints = lt_tensor_to_int64s (self, &n, &error);
      if (v == NULL || (ints == NULL && !_lt_dtype_is_float (self->dtype)))
        {
          g_string_append_printf (s, "[%s: %s]\n", type_name, error->message);
          return g_string_free (s, FALSE);
        }
      values.doubles = v;
      values.ints = ints;

      if (self->ndim <= 1)
        append_vector (s, v, self->numel, &values);
      else if (self->ndim == 2)
        {
          gboolean full_mat = self->shape[0] <= 2 * EDGE_ITEMS && self->shape[1] <= 2 * EDGE_ITEMS;
          Format   f = values;

          choose_format (v, self->numel, full_mat ? 0 : 5, &f);
          append_matrix (s, v, self->shape[0], self->shape[1], &f, "", FALSE);
        }
      else
        append_tensor (s, self, v, &values);
    }

  g_string_append_printf (s, "[%s of size ", type_name);
  for (guint i = 0; i < self->ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "x" : "", self->shape[i]);
  if (self->ndim == 0)
    g_string_append (s, "()");
  g_string_append (s, "]\n");
  return g_string_free (s, FALSE);
}
