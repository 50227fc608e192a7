/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-tensor-private.h"
#include "lt-dtype-private.h"
#include "lt-shape-private.h"

/*
 * The text form of a tensor, as the tutorial prints it (the classic Torch
 * format): one format for all elements chosen from their magnitudes, a
 * common scale factor line such as "1.00000e-28 *" when the numbers are
 * tiny or huge, aligned columns, "(i,j,.,.) =" headers for each matrix of a
 * tensor of more than two dimensions, "..." summaries past 1,000 elements,
 * and a closing "[Lt.FloatTensor of size 5x3]".
 */

#define PRECISION 4
#define LINE_WIDTH 80
#define THRESHOLD 1000
#define EDGE_ITEMS 3

typedef struct
{
  gboolean is_int;     /* every value is integral: "%*.0f" */
  gboolean sci;        /* "%*.*e" */
  double scale;
  int width;
} Format;

static void
choose_format (const double *v,
               gint64        n,
               int           min_width,
               Format       *f)
{
  gboolean have_finite = FALSE, have_invalid = FALSE;
  double amin = 0, amax = 0;
  int exp_min, exp_max;

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

static void
append_value (GString      *s,
              const Format *f,
              double        v)
{
  if (isnan (v))
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
append_scale (GString      *s,
              const Format *f)
{
  if (f->scale != 1)
    g_string_append_printf (s, "%.5e *\n", f->scale);
}

/* Values of a matrix (rows x cols) laid out with row stride @rs. */
static void
append_matrix (GString      *s,
               const double *v,
               gint64        rows,
               gint64        cols,
               gint64        rs,
               const Format *f,
               const char   *indent,
               gboolean      summarize)
{
  int per_line = MAX (1, (LINE_WIDTH - (int) strlen (indent)) / (f->width + 1));
  gboolean hdots = summarize && cols > 2 * EDGE_ITEMS;
  gboolean vdots = summarize && rows > 2 * EDGE_ITEMS;

  if (hdots || vdots)
    {
      /* Summarised: edge rows and columns around "..." */
      append_scale (s, f);
      for (gint64 r = 0; r < rows; r++)
        {
          if (vdots && r == EDGE_ITEMS)
            {
              g_string_append_printf (s, "%s%s...\n", indent, f->scale != 1 ? " " : "");
              r = rows - EDGE_ITEMS - 1;
              continue;
            }
          g_string_append (s, indent);
          if (f->scale != 1)
            g_string_append_c (s, ' ');
          for (gint64 c = 0; c < cols; c++)
            {
              if (hdots && c == EDGE_ITEMS)
                {
                  g_string_append (s, " ...");
                  c = cols - EDGE_ITEMS - 1;
                  continue;
                }
              if (c > 0)
                g_string_append_c (s, ' ');
              append_value (s, f, v[r * rs + c]);
            }
          g_string_append_c (s, '\n');
        }
      return;
    }

  for (gint64 first = 0; first < cols || (cols == 0 && first == 0); first += per_line)
    {
      gint64 last = MIN (first + per_line, cols) - 1;

      if (per_line < cols)
        {
          if (first != 0)
            g_string_append_c (s, '\n');
          g_string_append_printf (s, "Columns %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " \n%s",
                                  first + 1, last + 1, indent);
        }
      append_scale (s, f);
      for (gint64 r = 0; r < rows; r++)
        {
          g_string_append (s, indent);
          if (f->scale != 1)
            g_string_append_c (s, ' ');
          for (gint64 c = first; c <= last; c++)
            {
              if (c > first)
                g_string_append_c (s, ' ');
              append_value (s, f, v[r * rs + c]);
            }
          g_string_append_c (s, '\n');
        }
      if (cols == 0)
        break;
    }
}

/* Indices kept when summarising a dimension of size n. */
static gboolean
keep_index (gint64 i, gint64 n, gboolean summarize)
{
  return !summarize || n <= 2 * EDGE_ITEMS || i < EDGE_ITEMS || i >= n - EDGE_ITEMS;
}

/**
 * lt_tensor_to_string:
 * @self: a tensor
 *
 * Formats @self as the tutorial prints tensors:
 *
 * |[
 *  0.5453  0.4855  0.7236
 *  0.3199  0.4525  0.4917
 * [Lt.FloatTensor of size 2x3]
 * ]|
 *
 * with a common scale factor line when needed, `(i,.,.) =` headers for the
 * matrices of higher-dimensional tensors, and `...` past 1,000 elements.
 *
 * Returns: (transfer full): the text
 */
char *
lt_tensor_to_string (LtTensor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = NULL;
  g_autofree char *type_name = NULL;
  GString *s;
  gsize n;
  Format f;
  gboolean summarize;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  type_name = lt_tensor_get_type_name (self);
  s = g_string_new (NULL);

  if (self->numel == 0)
    {
      if (self->ndim == 0)
        g_string_append_printf (s, "[%s with no dimension]\n", type_name);
      else
        {
          g_autofree char *dims = NULL;
          GString *d = g_string_new (NULL);
          for (guint i = 0; i < self->ndim; i++)
            g_string_append_printf (d, "%s%" G_GINT64_FORMAT, i ? "x" : "", self->shape[i]);
          dims = g_string_free (d, FALSE);
          g_string_append_printf (s, "[%s of size %s]\n", type_name, dims);
        }
      return g_string_free (s, FALSE);
    }

  v = lt_tensor_to_doubles (self, &n, &error);
  if (v == NULL)
    {
      g_string_append_printf (s, "[%s: %s]\n", type_name, error->message);
      return g_string_free (s, FALSE);
    }

  summarize = self->numel > THRESHOLD;

  if (self->ndim <= 1)
    {
      gint64 len = self->ndim == 0 ? 1 : self->shape[0];

      choose_format (v, n, 0, &f);
      append_scale (s, &f);
      for (gint64 i = 0; i < len; i++)
        {
          if (summarize && len > 2 * EDGE_ITEMS && i == EDGE_ITEMS)
            {
              g_string_append_printf (s, "%*s\n", f.width, "...");
              i = len - EDGE_ITEMS - 1;
              continue;
            }
          if (f.scale != 1)
            g_string_append_c (s, ' ');
          append_value (s, &f, v[i]);
          g_string_append_c (s, '\n');
        }
    }
  else if (self->ndim == 2)
    {
      gboolean dots = summarize && (self->shape[0] > 2 * EDGE_ITEMS || self->shape[1] > 2 * EDGE_ITEMS);

      choose_format (v, n, dots ? 5 : 0, &f);
      append_matrix (s, v, self->shape[0], self->shape[1], self->shape[1], &f, "", summarize);
    }
  else
    {
      /* One matrix per index of the leading dims: "(i,j,.,.) =" */
      guint lead = self->ndim - 2;
      gint64 rows = self->shape[lead], cols = self->shape[lead + 1];
      gint64 idx[LT_MAX_DIMS] = { 0 };
      gint64 nmat = self->numel / MAX (rows * cols, 1);
      int dim_w = 2;
      gboolean first = TRUE;
      gboolean dots = summarize && (rows > 2 * EDGE_ITEMS || cols > 2 * EDGE_ITEMS);

      for (guint d = 0; d < self->ndim; d++)
        {
          char buf[32];
          dim_w = MAX (dim_w, g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, self->shape[d]));
        }
      choose_format (v, n, dots ? 3 : 0, &f);
      for (gint64 m = 0; m < nmat; m++)
        {
          gboolean keep = TRUE;
          gint64 rem = m;

          for (guint d = lead; d-- > 0;)
            {
              idx[d] = rem % self->shape[d];
              rem /= self->shape[d];
            }
          for (guint d = 0; d < lead && keep; d++)
            keep = keep_index (idx[d], self->shape[d], summarize);
          if (!keep)
            {
              /* one "..." line where a run of skipped matrices starts */
              gboolean starts = FALSE;
              for (guint d = 0; d < lead; d++)
                if (summarize && self->shape[d] > 2 * EDGE_ITEMS && idx[d] == EDGE_ITEMS)
                  {
                    gboolean rest_zero = TRUE;
                    for (guint e = d + 1; e < lead; e++)
                      rest_zero &= idx[e] == 0;
                    starts |= rest_zero;
                  }
              if (starts)
                g_string_append (s, "\n...\n");
              continue;
            }
          if (!first)
            g_string_append_c (s, '\n');
          first = FALSE;
          g_string_append_c (s, '(');
          for (guint d = 0; d < lead; d++)
            {
              char buf[32];
              int len = g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, idx[d]);
              int pad = dim_w - len;
              g_string_append_printf (s, "%*s%s%*s,", pad / 2, "", buf, pad - pad / 2, "");
            }
          g_string_append (s, ".,.) = \n");
          append_matrix (s, v + m * rows * cols, rows, cols, cols, &f, " ", summarize);
        }
    }

  {
    GString *d = g_string_new (NULL);
    g_autofree char *dims = NULL;

    for (guint i = 0; i < self->ndim; i++)
      g_string_append_printf (d, "%s%" G_GINT64_FORMAT, i ? "x" : "", self->shape[i]);
    if (self->ndim == 0)
      g_string_append (d, "()");
    dims = g_string_free (d, FALSE);
    g_string_append_printf (s, "[%s of size %s]\n", type_name, dims);
  }
  return g_string_free (s, FALSE);
}
