/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-ops-private.h"
#include "lt-distributions.h"

/*
 * Sampling from distributions given by tensors of probabilities:
 * bernoulli and multinomial. Both take their uniform numbers from
 * lt_rand() (float64), so they draw from the global generator or from the
 * LtGenerator the calling thread pushed, and pick on the host.
 */

/* The elements of @t as doubles and @n uniforms in [0, 1) */
static gboolean
read_and_draw (LtTensor *t, gint64 n, double **values, double **uniforms, GError **error)
{
  gsize n_values = 0, n_u = 0;
  g_autoptr(LtTensor) u = NULL;

  *values = lt_tensor_to_doubles (t, &n_values, error);
  if (*values == NULL && t->numel > 0)
    return FALSE;
  u = lt_rand (&n, 1, LT_DTYPE_FLOAT64, error);
  *uniforms = u ? lt_tensor_to_doubles (u, &n_u, error) : NULL;
  if (u == NULL || (*uniforms == NULL && n > 0))
    {
      g_clear_pointer (values, g_free);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_tensor_bernoulli:
 * @self: probabilities in [0, 1] (floating point)
 * @error: return location for a #GError
 *
 * Draws 1 with probability @self[i] and 0 otherwise for every element, as
 * `torch.bernoulli(p)`: a tensor of @self's shape and dtype. The result
 * has no gradient.
 *
 * Returns: (transfer full) (nullable): the draws, or %NULL with @error set
 *   (a probability outside [0, 1], an integer tensor)
 */
LtTensor *
lt_tensor_bernoulli (LtTensor *self, GError **error)
{
  g_autofree double *p = NULL;
  g_autofree double *u = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!_lt_dtype_is_float (self->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "bernoulli: the probabilities must be floating point, not %s",
                   lt_dtype_get_name (self->dtype));
      return NULL;
    }
  if (!read_and_draw (self, self->numel, &p, &u, error))
    return NULL;
  for (gint64 i = 0; i < self->numel; i++)
    {
      if (!(p[i] >= 0 && p[i] <= 1))
        {
          g_set_error (
            error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
            "bernoulli: probability %g at element %" G_GINT64_FORMAT " is outside [0, 1]", p[i], i);
          return NULL;
        }
      p[i] = u[i] < p[i] ? 1 : 0;
    }
  out = lt_tensor_new_from_doubles (p, self->numel, self->shape, self->ndim, self->dtype, error);
  if (out && self->storage->device != LT_DEVICE_CPU)
    return lt_tensor_to_device (out, self->storage->device, error);
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_multinomial:
 * @self: the weights of the categories: (C) or (N, C), not negative, with a
 *   positive sum per row (they need not sum to 1)
 * @num_samples: how many categories to draw per row
 * @replacement: draw with replacement (else each category at most once,
 *   and @num_samples at most C)
 * @error: return location for a #GError
 *
 * Draws category indices with probabilities proportional to the weights,
 * as `torch.multinomial(input, num_samples, replacement)`. Without
 * replacement a drawn category leaves the row's remaining draws.
 *
 * Returns: (transfer full) (nullable): an int64 tensor, (num_samples) or
 *   (N, num_samples), or %NULL with @error set
 */
LtTensor *
lt_tensor_multinomial (LtTensor *self, gint64 num_samples, gboolean replacement, GError **error)
{
  gint64             rows, C, shape[2];
  g_autofree double *w = NULL;
  g_autofree double *u = NULL;
  g_autofree gint64 *out = NULL;
  g_autoptr(LtTensor) t = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim != 1 && self->ndim != 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "multinomial: the weights must have 1 or 2 dimensions, not %u", self->ndim);
      return NULL;
    }
  if (!_lt_dtype_is_float (self->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "multinomial: the weights must be floating point, not %s",
                   lt_dtype_get_name (self->dtype));
      return NULL;
    }
  rows = self->ndim == 2 ? self->shape[0] : 1;
  C = self->shape[self->ndim - 1];
  if (num_samples <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "multinomial: cannot draw %" G_GINT64_FORMAT " samples", num_samples);
      return NULL;
    }
  if (C == 0 || (!replacement && num_samples > C))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "multinomial: cannot draw %" G_GINT64_FORMAT " samples from %" G_GINT64_FORMAT
                   " categories%s",
                   num_samples, C, replacement ? "" : " without replacement");
      return NULL;
    }
  if (!read_and_draw (self, rows * num_samples, &w, &u, error))
    return NULL;
  out = g_new (gint64, rows * num_samples);
  for (gint64 r = 0; r < rows; r++)
    {
      double *wr = w + r * C, total = 0;

      for (gint64 c = 0; c < C; c++)
        {
          if (!(wr[c] >= 0) || isinf (wr[c]))
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "multinomial: weight %g (row %" G_GINT64_FORMAT
                           ", category %" G_GINT64_FORMAT ") is negative, infinite or NaN",
                           wr[c], r, c);
              return NULL;
            }
          total += wr[c];
        }
      if (!(total > 0))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "multinomial: the weights of row %" G_GINT64_FORMAT " sum to 0", r);
          return NULL;
        }
      for (gint64 s = 0; s < num_samples; s++)
        {
          double target = u[r * num_samples + s] * total, acc = 0;
          gint64 pick = -1;

          for (gint64 c = 0; c < C; c++)
            if (wr[c] > 0)
              {
                pick = c;
                acc += wr[c];
                if (target < acc)
                  break;
              }
          out[r * num_samples + s] = pick;
          if (!replacement)
            {
              total -= wr[pick];
              wr[pick] = 0;
              if (!(total > 0) && s + 1 < num_samples)
                {
                  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                               "multinomial: row %" G_GINT64_FORMAT
                               " has fewer than %" G_GINT64_FORMAT
                               " categories of positive weight to draw without replacement",
                               r, num_samples);
                  return NULL;
                }
            }
        }
    }
  shape[0] = rows;
  shape[1] = num_samples;
  t = self->ndim == 2
        ? lt_tensor_new_from_int64s (out, rows * num_samples, shape, 2, LT_DTYPE_INT64, error)
        : lt_tensor_new_from_int64s (out, num_samples, &num_samples, 1, LT_DTYPE_INT64, error);
  if (t && self->storage->device != LT_DEVICE_CPU)
    return lt_tensor_to_device (t, self->storage->device, error);
  return g_steal_pointer (&t);
}
